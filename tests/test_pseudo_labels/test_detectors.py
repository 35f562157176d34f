"""Every registered degradation detector fires on the defect it targets, injected into a clean
label built from synthetic sources, stays quiet on the clean label, and its mask points at the
defect; its enhancer moves the defective label back towards the clean one."""

import cv2
import numpy as np
import pytest

import fusionbox.pseudo_labels  # noqa: F401
from fusionbox.pseudo_labels.refiners import ENHANCER_OF, FusionRefiner, Layers, decompose
from fusionbox.registry import REFINERS

from .conftest import texture

H = W = 64
INNER = np.s_[20:44, 20:44]  # where a local defect is injected


def _blur(x, sigma):
    return cv2.GaussianBlur(x, (0, 0), sigma)


def _local(clean, defect):
    bad = clean.copy()
    bad[INNER] = defect[INNER]
    return bad


def lost_detail_case():
    """Faint texture (it lands in the edge-preserving detail layers) blurred in a square."""
    tex = 0.5 + 0.1 * (texture(H, W, 0) - 0.5)
    return (tex, np.full_like(tex, 0.5)), tex, _local(tex, _blur(tex, 2.0))


def lost_texture_case():
    """Strong texture blurred in a square."""
    tex = texture(H, W, 0)
    return (tex, np.full_like(tex, 0.5)), tex, _local(tex, _blur(tex, 2.0))


def lost_intensity_case():
    """A hot infrared target kept by choose-max, dimmed to the average in the defect."""
    ir = np.full((H, W), 0.2, np.float32)
    ir[24:40, 24:40] = 0.9
    vi = texture(H, W, 1)
    clean = np.maximum(ir, vi)
    return (ir, vi), clean, _local(clean, (ir + vi) / 2)


def low_contrast_case():
    """The contrasty source with the other's texture added; the defect halves its contrast."""
    a, b = texture(H, W, 1), 0.5 + 0.2 * (texture(H, W, 2) - 0.5)
    clean = np.clip(a + 0.5 * (b - b.mean()), 0, 1).astype(np.float32)
    return (a, b), clean, (clean.mean() + 0.5 * (clean - clean.mean())).astype(np.float32)


def poor_exposure_case():
    """An under- and a well-exposed source; the defect copies the under-exposed one in a square."""
    t = texture(H, W, 4)
    under, well = 0.05 * t, 0.3 + 0.4 * t
    return (under, well), well, _local(well, under)


def noise_case():
    """Two smooth sources averaged; the defect adds Gaussian noise (sigma 0.05)."""
    a, b = _blur(texture(H, W, 5), 1.0), _blur(texture(H, W, 6), 1.0)
    clean = (a + b) / 2
    rng = np.random.default_rng(0)
    noisy = np.clip(clean + 0.05 * rng.standard_normal(clean.shape), 0, 1).astype(np.float32)
    return (a, b), clean, noisy


def halo_case():
    """A step edge (column 32) averaged with a flat texture; the defect is unsharp-mask
    overshoot along the edge."""
    a = np.full((H, W), 0.3, np.float32)
    a[:, W // 2 :] = 0.7
    b = 0.4 + 0.2 * _blur(texture(H, W, 7), 1.0)
    clean = (a + b) / 2
    halo = np.clip(clean + 1.5 * (clean - _blur(clean, 3.0)), 0, 1).astype(np.float32)
    return (a, b), clean, halo


def misfocus_case():
    """Multi-focus halves (A sharp on the left); the defect blurs a patch of the left half."""
    truth = texture(H, W, 3)
    blurred = _blur(truth, 2.5)
    a, b = truth.copy(), truth.copy()
    a[:, 32:], b[:, :32] = blurred[:, 32:], blurred[:, :32]
    bad = truth.copy()
    bad[16:40, 6:26] = blurred[16:40, 6:26]
    return (a, b), truth, bad


def hidden_structure_case():
    """Anatomy (faint texture) and a bright, smooth functional square; choose-max takes the
    square's smooth intensity, the clean (two-scale) label adds the anatomy's detail on it."""
    anatomy = 0.4 + 0.2 * (texture(H, W, 8) - 0.5)
    function = np.full((H, W), 0.1, np.float32)
    function[16:48, 16:48] = 0.9
    function = _blur(function, 2.0)
    bad = np.maximum(anatomy, function)
    detail = (function > anatomy) * (anatomy - _blur(anatomy, 2.0))
    return (anatomy, function), np.clip(bad + detail, 0, 1).astype(np.float32), bad


CASES = {
    'lost_detail': lost_detail_case,
    'lost_texture': lost_texture_case,
    'lost_intensity': lost_intensity_case,
    'low_contrast': low_contrast_case,
    'poor_exposure': poor_exposure_case,
    'noise': noise_case,
    'halo': halo_case,
    'misfocus': misfocus_case,
    'hidden_structure': hidden_structure_case,
}


def _detectors():
    """Registered detectors: the keys of ENHANCER_OF (the refiner's detector -> enhancer map)."""
    return sorted(ENHANCER_OF)


def test_every_registered_refiner_function_is_a_detector_or_an_enhancer():
    registered = set(REFINERS.module_dict) - {'FusionRefiner'}
    assert registered == set(ENHANCER_OF) | set(ENHANCER_OF.values())
    assert not set(ENHANCER_OF) & set(ENHANCER_OF.values())


def test_every_detector_has_a_case():
    assert set(CASES) == set(_detectors())


def test_every_default_component_is_a_covered_detector():
    for comps in FusionRefiner().components.values():
        assert {c['detector'] for c in comps} <= set(CASES)


@pytest.mark.parametrize('name', _detectors())
def test_detector_fires_on_its_defect_and_stays_quiet_on_the_clean_label(name):
    sources, clean, bad = CASES[name]()
    detect = REFINERS.get(name)
    src = [decompose(np.asarray(s, np.float32)) for s in sources]
    quiet = detect(decompose(clean), src)
    fired = detect(decompose(bad), src)
    assert not quiet.degraded, (name, quiet.measure, quiet.threshold)
    assert fired.degraded, (name, fired.measure, fired.threshold)
    # the finding is recorded with its criterion
    record = fired.to_dict()
    assert record['degraded'] is True and record['criterion']
    if fired.mask is not None:
        assert fired.mask.shape == clean.shape
        changed = np.abs(bad - clean) > 1e-6
        if name == 'halo':  # the overshoot sits along the edge (column 32)
            assert fired.mask[:, 28:36].mean() > 20 * max(fired.mask[:, :20].mean(), 1e-3)
        elif not changed.all():
            assert fired.mask[changed].mean() > 5 * fired.mask[~changed].mean()
    # the paired enhancer, at full strength, brings the label closer to the clean one
    enhanced = REFINERS.get(ENHANCER_OF[name])(decompose(bad), src, fired, strength=1.0)
    image = enhanced.compose() if isinstance(enhanced, Layers) else enhanced
    image = np.clip(image, 0, 1)
    assert np.abs(image - clean).mean() < np.abs(bad - clean).mean()
