"""Property-based fuzzing (hypothesis) of image reading, array input, the metrics and the
command lines, with a bounded, derandomised number of examples (``benchmarks/fuzz.py`` runs the
same targets for longer)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings

from .fuzz_targets import TARGETS, check_metric, metric_inputs, metric_names

#: Inputs every metric is run with first: grey (H, W, 1) and colour (H, W, 3) arrays, which
#: broke AG, EI, Nabf, Qabf, Qcb, Qcv and VIF under the standard protocol (exceptions from
#: inside the metric) until the entry point converted them (``functional.base.protocol_image``).
THREE_D_SHAPES = ((16, 16, 1), (16, 16, 3), (40, 40, 3))


def bounded(examples: int):
    return settings(
        max_examples=examples,
        derandomize=True,  # the same examples on every CI run
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.mark.parametrize('name', [n for n in TARGETS if n != 'metrics'])
def test_fuzz_target_keeps_its_property(name):
    strategy, check, examples = TARGETS[name]
    bounded(examples)(given(strategy)(check))()


@pytest.mark.parametrize('metric', metric_names())
def test_fuzz_metric_returns_a_value_or_a_metric_error(metric):
    run = given(metric_inputs([metric]))(check_metric)
    rng = np.random.default_rng(0)
    for size in THREE_D_SHAPES:  # the inputs that once broke seven metrics, always tried first
        images = [rng.random(size) for _ in range(4)]
        run = example((metric, images[0], images[1:3], images[3]))(run)
    bounded(25)(run)()
