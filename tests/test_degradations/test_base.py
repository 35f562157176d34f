"""Every degradation: registered, grey and colour, in range, deterministic by seed."""

import numpy as np
import pytest

from fusionbox.degradations import (
    DEFAULT_TASK_OPS,
    BaseDegradation,
    DegradeSources,
    degradation_names,
    resolve_name,
)
from fusionbox.degradations.base import as_range
from fusionbox.registry import DEGRADATIONS

BUILTIN = (
    'GaussianNoise',
    'PoissonNoise',
    'GaussianBlur',
    'MotionBlur',
    'DefocusBlur',
    'Downsample',
    'JPEGCompression',
    'Rain',
    'Snow',
    'Haze',
    'LowLight',
    'OverExposure',
    'LowContrast',
    'StripeNoise',
)


def test_every_builtin_is_registered_with_a_key_and_a_stage():
    assert set(BUILTIN) <= set(DEGRADATIONS.module_dict)
    keys = [DEGRADATIONS.get(n).key for n in BUILTIN]
    assert all(keys) and len(set(keys)) == len(keys)
    for name in BUILTIN:
        assert resolve_name(name) == name
        assert resolve_name(DEGRADATIONS.get(name).key) == name
        assert resolve_name(name.lower()) == name
    assert degradation_names()['rain'] == 'Rain'
    with pytest.raises(KeyError, match='unknown degradation'):
        resolve_name('sandstorm')
    used = {n for ops in DEFAULT_TASK_OPS.values() for n in ops}
    assert used <= set(BUILTIN)


@pytest.mark.parametrize('name', BUILTIN)
def test_grey_and_colour_same_shape_range_and_seed_determinism(name, grey, color):
    op = DEGRADATIONS.build(dict(type=name))
    for image in (grey, color):
        a, pa = op.degrade(image, np.random.default_rng(7))
        b, pb = op.degrade(image, np.random.default_rng(7))
        c, pc = op.degrade(image, np.random.default_rng(8))
        assert a.shape == image.shape and a.dtype == np.float32
        assert a.min() >= 0.0 and a.max() <= 1.0
        assert np.array_equal(a, b) and pa == pb  # same seed, same output
        assert not np.array_equal(a, c)  # another seed, another output
        assert pa != pc and np.abs(a - image).mean() > 1e-3
        assert all(isinstance(v, int | float | str) for v in pa.values())


def test_two_dimensional_grey_input_is_accepted(grey):
    op = DEGRADATIONS.build(dict(type='GaussianNoise'))
    out, _ = op.degrade(grey[..., 0], np.random.default_rng(0))
    assert out.shape == grey.shape
    with pytest.raises(ValueError, match='image'):
        op.degrade(np.zeros((4, 4, 2), np.float32), np.random.default_rng(0))


def test_ranges_are_validated():
    assert as_range(0.5, 'x') == (0.5, 0.5)
    assert as_range((1, 2), 'x') == (1.0, 2.0)
    with pytest.raises(ValueError, match='low'):
        as_range((2, 1), 'sigma')
    with pytest.raises(ValueError, match='sigma'):
        DEGRADATIONS.build(dict(type='GaussianNoise', sigma=(0.1, 2.0)))
    with pytest.raises(ValueError, match='prob'):
        DEGRADATIONS.build(dict(type='GaussianNoise', prob=1.5))


def test_applies_to_can_be_overridden_in_the_config():
    op = DEGRADATIONS.build(dict(type='Rain', applies_to=('ir',)))
    assert op.accepts('ir') and not op.accepts('vi')
    assert DEGRADATIONS.build(dict(type='Rain', applies_to='any')).accepts('ct')


class _Invert(BaseDegradation):
    """A third-party style degradation implementing only apply() (not registered)."""

    def apply(self, image, rng):
        return 1.0 - image


def test_apply_only_subclasses_still_work(grey):
    out, params = _Invert().degrade(grey, np.random.default_rng(0))
    assert params == {} and np.allclose(out, 1.0 - grey)
    assert np.allclose(_Invert()(grey, np.random.default_rng(0)), 1.0 - grey)


def test_degrade_sources_keeps_its_interface(grey, color):
    step = DegradeSources([dict(type='Rain'), dict(type='StripeNoise', sigma=0.05)], seed=0)
    results = dict(sources=[grey, color], source_names=['ir', 'vi'], sample_idx=3)
    out = step(dict(results))
    assert out['degradations'] == [('Rain', 'vi'), ('StripeNoise', 'ir')]
    assert np.array_equal(out['clean_sources'][0], grey)
    again = step(dict(results))
    assert all(np.array_equal(a, b) for a, b in zip(out['sources'], again['sources']))
