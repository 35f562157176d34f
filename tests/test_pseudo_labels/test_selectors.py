import numpy as np
import pytest

import fusionbox.pseudo_labels  # noqa: F401
from fusionbox.pseudo_labels.selectors import DEFAULT_TASK_METRICS, TaskAwareSelector
from fusionbox.registry import SELECTORS

from .conftest import texture


def test_defaults_cover_every_task_with_known_metrics():
    selector = SELECTORS.build(dict(type='TaskAwareSelector'))
    for task in ('ivf', 'mif', 'mef', 'mff'):
        assert selector.task_metrics(task) == DEFAULT_TASK_METRICS[task]


def test_unknown_metric_is_named():
    with pytest.raises(KeyError, match='NoSuchMetric'):
        TaskAwareSelector(metrics={'ivf': {'NoSuchMetric': 1.0}})


def test_normalisation_is_min_max_and_direction_aware():
    # SD: higher is better, CE: lower is better
    selector = TaskAwareSelector(metrics={'ivf': {'SD': 1.0, 'CE': 3.0}})
    raw = {'a': {'SD': 10.0, 'CE': 2.0}, 'b': {'SD': 30.0, 'CE': 4.0}, 'c': {'SD': 20.0, 'CE': 1.0}}
    score_map = selector.fit(raw, 'ivf')
    scores = {n: score_map(v) for n, v in raw.items()}
    # a: SD 0, CE (4-2)/3 = 2/3 -> (0 + 3 * 2/3) / 4 = 0.5
    assert scores['a'] == pytest.approx(0.5)
    assert scores['b'] == pytest.approx(0.25)  # SD 1, CE 0
    assert scores['c'] == pytest.approx((0.5 + 3.0) / 4)  # SD 0.5, CE 1
    # a later image is scored with the same map and may leave [0, 1]
    assert score_map({'SD': 40.0, 'CE': 0.0}) == pytest.approx((1.5 + 3 * 4 / 3) / 4)


def test_tied_metric_does_not_break_the_map():
    selector = TaskAwareSelector(metrics={'ivf': {'SD': 1.0}})
    score_map = selector.fit({'a': {'SD': 5.0}, 'b': {'SD': 5.0}}, 'ivf')
    assert score_map({'SD': 5.0}) == 0.0
    assert score_map({'SD': 6.0}) > 0


def test_select_picks_best_and_records_why():
    tex = texture(48, 48)
    flat = np.full_like(tex, 0.5)
    selector = TaskAwareSelector(metrics={'ivf': {'SD': 1.0}})
    sel = selector.select({'flat': flat, 'textured': tex}, [tex, flat], 'ivf')
    assert sel.pick == 'textured'
    assert sel.scores == {'flat': 0.0, 'textured': 1.0}
    # candidates are scored as they are saved: rounded to 8 bits
    assert sel.metrics['textured']['SD'] == pytest.approx(
        np.std(np.round(tex.astype(np.float64) * 255.0)), rel=1e-9
    )
    record = sel.to_dict()
    assert record['normalisation']['SD']['higher_is_better'] is True


def test_default_score_prefers_information_preserving_fusion():
    rng = np.random.default_rng(0)
    ir, vi = texture(48, 48, 1), texture(48, 48, 2)
    selector = TaskAwareSelector()
    cands = {'average': (ir + vi) / 2, 'noise': rng.random((48, 48)).astype(np.float32)}
    sel = selector.select(cands, [ir, vi], 'ivf')
    assert sel.pick == 'average'


def test_three_sources_use_pairwise_mean_for_two_source_metrics():
    srcs = [texture(32, 32, s) for s in range(3)]
    selector = TaskAwareSelector(metrics={'ivf': {'Qabf': 1.0}})
    values = selector.measure(np.mean(srcs, 0), srcs, 'ivf')
    assert np.isfinite(values['Qabf'])


def test_mif_score_leaves_out_mi_which_rewards_copying_pixels():
    """Raw MI peaks on a label that copies source pixels: an invisible +-1 grey-level change
    costs a choose-max label many times what it costs a blending one (the reason MIF leaves MI
    out, docs/user_guides/pseudo_labels.md)."""
    assert 'MI' not in DEFAULT_TASK_METRICS['mif']
    a, b = texture(64, 64, 1), texture(64, 64, 2)
    selector = TaskAwareSelector(metrics={'mif': {'MI': 1.0}})
    rng = np.random.default_rng(0)
    jitter = rng.choice([-1.0, 0.0, 1.0], a.shape) / 255

    def cost(label):
        clean = selector.measure(label, [a, b], 'mif')['MI']
        return clean - selector.measure(label + jitter, [a, b], 'mif')['MI']

    assert cost(np.maximum(a, b)) > 0.5  # bits, for a change of at most 1 grey level
    assert abs(cost((a + b) / 2)) < 0.05
