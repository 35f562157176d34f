"""The random composer: 1-3 operations from the task's set, on the right sources, recorded,
named in the prompt, deterministic by seed."""

from collections import Counter

import numpy as np
import pytest

from fusionbox.degradations import DEFAULT_EXCLUSIVE, DEFAULT_TASK_OPS, PROMPT_BANK
from fusionbox.registry import DEGRADATIONS

SOURCES = {'ivf': ['ir', 'vi'], 'mif': ['ct', 'mri'], 'mef': ['under', 'over'], 'mff': ['a', 'b']}


def mentions(prompt, name):
    return any(k in prompt.lower() for k in PROMPT_BANK[name]['keywords'])


@pytest.fixture(scope='module')
def composer():
    return DEGRADATIONS.build(dict(type='RandomDegradationComposer'))


@pytest.mark.parametrize('task', sorted(SOURCES))
def test_draws_one_to_three_allowed_ops_on_accepting_sources(composer, task, grey, color):
    names = SOURCES[task]
    counts = Counter()
    for seed in range(25):
        out = composer([grey, color], names, task, np.random.default_rng(seed))
        records = out['records']
        types = [r['type'] for r in records]
        counts[len(records)] += 1
        assert 1 <= len(records) <= 3 and len(set(types)) == len(types)
        assert set(types) <= set(DEFAULT_TASK_OPS[task])
        for group in DEFAULT_EXCLUSIVE:
            assert len(set(group) & set(types)) <= 1
        hit = set()
        for r in records:
            op = DEGRADATIONS.get(r['type'])
            assert r['sources'] and all(op().accepts(s) for s in r['sources'])
            assert len(r['params']) == len(r['sources'])
            hit.update(r['sources'])
            assert mentions(out['prompt'], r['type']), (r['type'], out['prompt'])
        stages = [DEGRADATIONS.get(t).stage for t in types]
        assert stages == sorted(stages)  # applied in physical order
        for i, name in enumerate(names):  # only the recorded sources changed
            changed = not np.array_equal(out['sources'][i], [grey, color][i])
            assert changed == (name in hit)
    assert set(counts) == {1, 2, 3}


def test_ivf_weather_on_visible_and_stripes_on_infrared(composer, grey, color):
    seen = set()
    for seed in range(60):
        out = composer([grey, color], ['ir', 'vi'], 'ivf', np.random.default_rng(seed))
        for r in out['records']:
            seen.add(r['type'])
            if r['type'] in ('Rain', 'Snow', 'Haze', 'LowLight', 'OverExposure'):
                assert r['sources'] == ['vi'] and 'visible' in out['prompt']
            if r['type'] == 'StripeNoise':
                assert r['sources'] == ['ir'] and 'infrared' in out['prompt']
    assert {'Rain', 'StripeNoise', 'Haze'} <= seen


def test_same_seed_same_result_other_seed_other_result(composer, grey, color):
    a = composer([grey, color], ['ir', 'vi'], 'ivf', np.random.default_rng(5))
    b = composer([grey, color], ['ir', 'vi'], 'ivf', np.random.default_rng(5))
    assert a['records'] == b['records'] and a['prompt'] == b['prompt']
    assert all(np.array_equal(x, y) for x, y in zip(a['sources'], b['sources']))
    others = [
        composer([grey, color], ['ir', 'vi'], 'ivf', np.random.default_rng(s))['prompt']
        for s in range(6, 12)
    ]
    assert len(set(others + [a['prompt']])) > 4


def test_configured_sets_overrides_counts_and_source_modes(grey, color):
    composer = DEGRADATIONS.build(
        dict(
            type='RandomDegradationComposer',
            task_ops=dict(mef=['haze', dict(type='GaussianNoise', sigma=0.01)]),
            degradations=dict(Haze=dict(beta=1.5)),
            num_ops=2,
            source_mode='all',
        )
    )
    out = composer([grey, color], ['under', 'over'], 'mef', np.random.default_rng(0))
    assert sorted(r['type'] for r in out['records']) == ['GaussianNoise', 'Haze']
    for r in out['records']:
        assert r['sources'] == ['under', 'over']
        key = 'beta' if r['type'] == 'Haze' else 'sigma'
        assert {p[key] for p in r['params']} == {1.5 if key == 'beta' else 0.01}
    assert 'both images' in out['prompt'].lower()
    with pytest.raises(KeyError, match='ivf'):
        composer([grey, color], ['ir', 'vi'], 'ivf', np.random.default_rng(0))
    with pytest.raises(KeyError, match='unknown degradation'):
        DEGRADATIONS.build(dict(type='RandomDegradationComposer', task_ops=dict(ivf=['smog'])))
    with pytest.raises(ValueError, match='num_ops'):
        DEGRADATIONS.build(dict(type='RandomDegradationComposer', num_ops=(0, 2)))


def test_operations_nobody_accepts_are_not_drawn(grey):
    composer = DEGRADATIONS.build(
        dict(
            type='RandomDegradationComposer',
            task_ops=dict(mif=['StripeNoise', 'GaussianBlur']),
            num_ops=3,
        )
    )
    out = composer([grey, grey], ['ct', 'mri'], 'mif', np.random.default_rng(0))
    assert [r['type'] for r in out['records']] == ['GaussianBlur']
