"""The wrong prompt of the prompt-response benchmarks: an operation of the task's set that was
not applied nor exclusive with one that was, on the applied operation's source when it can."""

import numpy as np
import pytest

from fusionbox.degradations import PROMPT_BANK, RandomDegradationComposer
from fusionbox.degradations.wrong_prompt import wrong_operation, wrong_prompt
from fusionbox.utils import register_all_modules


@pytest.fixture(scope='module')
def composer():
    register_all_modules()
    return RandomDegradationComposer()


def test_never_the_applied_operation_nor_its_exclusive_partner(composer):
    applied = [
        dict(type='GaussianNoise', sources=['ct']),
        dict(type='GaussianBlur', sources=['mri']),
    ]
    drawn = set()
    for seed in range(40):
        (wrong,) = wrong_operation(
            composer, 'mif', ['ct', 'mri'], applied, np.random.default_rng(seed)
        )
        drawn.add(wrong['type'])
        assert wrong['sources'] == ['ct']  # the first applied operation's source, which it hits
    assert drawn == {'Downsample', 'LowContrast'}  # not Poisson noise: exclusive with Gaussian


def test_a_source_the_operation_accepts_when_it_cannot_hit_the_applied_one(composer):
    applied = [dict(type='StripeNoise', sources=['ir'])]  # visible-only operations can't hit ir
    for seed in range(20):
        (wrong,) = wrong_operation(
            composer, 'ivf', ['ir', 'vi'], applied, np.random.default_rng(seed)
        )
        assert wrong['type'] != 'StripeNoise'
        if wrong['type'] in ('Rain', 'Snow', 'Haze', 'LowLight'):
            assert wrong['sources'] == ['vi'], wrong


def test_the_prompt_names_the_wrong_operation_and_is_deterministic(composer):
    applied = [dict(type='GaussianNoise', sources=['ct'])]
    noise = PROMPT_BANK['GaussianNoise']['keywords']
    for seed in range(10):
        prompt = wrong_prompt(composer, 'mif', ['ct', 'mri'], applied, np.random.default_rng(seed))
        again = wrong_prompt(composer, 'mif', ['ct', 'mri'], applied, np.random.default_rng(seed))
        assert prompt == again and prompt and not any(k in prompt.lower() for k in noise)


def test_errors_say_what_is_missing(composer):
    with pytest.raises(ValueError, match='no applied operation'):
        wrong_operation(composer, 'mif', ['ct', 'mri'], [], np.random.default_rng(0))
    only = RandomDegradationComposer(task_ops=dict(mif=['GaussianNoise', 'PoissonNoise']))
    with pytest.raises(
        ValueError, match=r"task 'mif' has no operation besides \['GaussianNoise'\]"
    ):
        wrong_operation(
            only, 'mif', ['ct', 'mri'], [dict(type='GaussianNoise', sources=['ct'])],
            np.random.default_rng(0),
        )  # fmt: skip
