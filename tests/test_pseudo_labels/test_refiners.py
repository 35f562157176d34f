import cv2
import numpy as np
import pytest

import fusionbox.pseudo_labels  # noqa: F401
from fusionbox.pseudo_labels.refiners import FusionRefiner, decompose
from fusionbox.pseudo_labels.selectors import TaskAwareSelector
from fusionbox.registry import REFINERS

from .conftest import texture


def test_detectors_and_enhancers_are_registered():
    for name in (
        'FusionRefiner',
        'lost_detail',
        'inject_detail',
        'lost_intensity',
        'restore_intensity',
        'low_contrast',
        'boost_contrast',
        'poor_exposure',
        'correct_exposure',
        'noise',
        'denoise',
        'halo',
        'suppress_halo',
        'misfocus',
        'refocus',
        'lost_texture',
        'inject_texture',
        'hidden_structure',
        'unveil_structure',
    ):
        assert REFINERS.get(name) is not None, name


def test_decompose_recomposes_exactly(tex):
    layers = decompose(tex)
    assert len(layers.details) == 3
    np.testing.assert_allclose(layers.compose(), tex, atol=1e-5)


def _layers(*images):
    return [decompose(x) for x in images]


def test_lost_detail_fires_on_a_blurred_label_only(tex):
    # faint texture: the edge-preserving decomposition keeps strong edges in the base layer
    tex = 0.5 + 0.1 * (tex - 0.5)
    src = _layers(tex, np.full_like(tex, 0.5))
    blurred = cv2.GaussianBlur(tex, (0, 0), 2.0)
    assert REFINERS.get('lost_detail')(decompose(blurred), src).degraded
    assert not REFINERS.get('lost_detail')(decompose(tex), src).degraded


def test_lost_texture_sees_strong_texture_and_injects_it_back(tex):
    # strong texture: the pyramid bands hold it whatever its contrast
    src = _layers(tex, np.full_like(tex, 0.5))
    blurred = cv2.GaussianBlur(tex, (0, 0), 2.0)
    found = REFINERS.get('lost_texture')(decompose(blurred), src)
    assert found.degraded
    assert not REFINERS.get('lost_texture')(decompose(tex), src).degraded
    restored = REFINERS.get('inject_texture')(decompose(blurred), src, found)
    assert np.abs(restored - tex).mean() < 0.5 * np.abs(blurred - tex).mean()


def test_lost_intensity_fires_when_a_target_is_dimmed():
    ir = np.full((64, 64), 0.2, np.float32)
    ir[24:40, 24:40] = 0.9  # a hot target
    vi = texture(64, 64)
    src = _layers(ir, vi)
    dimmed = (ir + vi) / 2
    found = REFINERS.get('lost_intensity')(decompose(dimmed), src)
    assert found.degraded and found.mask[32, 32] > 0.5 and found.mask[5, 5] == 0
    kept = np.maximum(ir, vi)
    assert not REFINERS.get('lost_intensity')(decompose(kept), src).degraded


def test_noise_and_halo_detectors(tex):
    tex = cv2.GaussianBlur(tex, (0, 0), 1.0)
    src = _layers(tex, tex)
    rng = np.random.default_rng(0)
    noisy = np.clip(tex + 0.05 * rng.standard_normal(tex.shape), 0, 1).astype(np.float32)
    assert REFINERS.get('noise')(decompose(noisy), src).degraded
    assert not REFINERS.get('noise')(decompose(tex), src).degraded
    overshoot = tex.copy()
    overshoot[10:20, 10:20] = np.clip(overshoot[10:20, 10:20] + 0.4, 0, 1.5)
    assert REFINERS.get('halo')(decompose(overshoot), src).degraded
    assert not REFINERS.get('halo')(decompose(tex), src).degraded


def test_poor_exposure_detector():
    under = np.full((32, 32), 0.03, np.float32)
    good = np.full((32, 32), 0.5, np.float32)
    src = _layers(under, good)
    assert REFINERS.get('poor_exposure')(decompose(under), src).degraded
    assert not REFINERS.get('poor_exposure')(decompose(good), src).degraded


@pytest.mark.parametrize('task', ['ivf', 'mif', 'mef', 'mff'])
def test_refiner_never_lowers_the_score_and_improves_a_poor_label(task):
    # faint texture (it lands in the detail layers) and a bright target in source 0
    srcs = 0.5 + 0.15 * (np.stack([texture(48, 48, 1), texture(48, 48, 2)]) - 0.5)
    srcs[0, 16:32, 16:32] = 0.95
    selector = TaskAwareSelector()
    rng = np.random.default_rng(0)
    candidates = {
        'avg': srcs.mean(0),
        'blur': cv2.GaussianBlur(srcs.mean(0), (0, 0), 1.5),
        'noisy': np.clip(srcs.mean(0) + 0.1 * rng.standard_normal((48, 48)), 0, 1).astype(
            np.float32
        ),
    }
    selection = selector.select(candidates, list(srcs), task)
    refiner = FusionRefiner()
    for name, label in candidates.items():

        def scorer(img):
            return selector.score(img, selection, list(srcs), task)[0]

        result = refiner.refine(label, srcs, task, scorer)
        assert result.score_after >= result.score_before
        assert result.score_after == pytest.approx(scorer(result.image))
        for action in result.actions:
            if action.get('accepted'):
                assert action['score_after'] > action['score_before']
                # the line search keeps the best strength tried
                assert action['score_after'] == max(t['score'] for t in action['tried'])
        if name == 'blur':
            assert result.gain > 0


def test_misfocus_repair_recovers_the_in_focus_halves_near_the_boundary(focus_pair):
    from fusionbox.pseudo_labels.priors.focus import FocusMap

    truth, a, b = focus_pair
    lumas = np.stack([a[..., 0], b[..., 0]])
    raw = FocusMap().fuse(lumas)
    src = _layers(*lumas)
    found = REFINERS.get('misfocus')(decompose(raw), src, window=2, dominance=1.5)
    assert found.degraded
    repaired = np.clip(REFINERS.get('refocus')(decompose(raw), src, found), 0, 1)
    band = (slice(4, -4), slice(26, 38))  # the decision boundary is at column 32
    err_raw = np.abs(raw - truth)[band].mean()
    err_new = np.abs(repaired - truth)[band].mean()
    assert err_new < 0.8 * err_raw
    # far from the boundary the focus map was right and stays (almost) untouched
    far = (slice(4, -4), slice(4, 20))
    assert np.abs(repaired - raw)[far].mean() < 0.25 * np.abs(repaired - raw)[band].mean()


def test_misfocus_is_quiet_on_a_perfect_label(focus_pair):
    truth, a, b = focus_pair
    found = REFINERS.get('misfocus')(decompose(truth), _layers(a[..., 0], b[..., 0]))
    assert not found.degraded


def test_feathered_intensity_restoration_has_no_step_edges():
    ir = np.full((64, 64), 0.2, np.float32)
    ir[24:40, 24:40] = 0.9  # a hot target with a hard border
    vi = 0.5 + 0.1 * (texture(64, 64) - 0.5)
    src = _layers(ir, vi)
    label = decompose((ir + vi) / 2)
    found = REFINERS.get('lost_intensity')(label, src)
    assert found.degraded

    def largest_step(feather):
        raised = REFINERS.get('restore_intensity')(label, src, found, feather=feather).base
        delta = raised - label.base
        step = max(np.abs(np.diff(delta, axis=0)).max(), np.abs(np.diff(delta, axis=1)).max())
        return step / delta.max()

    assert largest_step(3.0) < 0.2  # feathered: the raise ramps up over several pixels
    assert largest_step(0.0) > 0.5  # unfeathered: pasted with a step edge


def _mri_pet(size=64):
    """Anatomy (faint texture) and a bright, smooth functional square."""
    mri = 0.4 + 0.2 * (texture(size, size, 8) - 0.5)
    pet = np.full((size, size), 0.1, np.float32)
    pet[size // 4 : 3 * size // 4, size // 4 : 3 * size // 4] = 0.9
    return np.stack([mri, cv2.GaussianBlur(pet, (0, 0), 2.0)]).astype(np.float32)


def test_mif_refiner_unveils_the_anatomy_under_a_functional_region():
    srcs = _mri_pet()
    candidates = {'ChooseMax': srcs.max(0), 'Average': srcs.mean(0)}
    selector = TaskAwareSelector()
    selection = selector.select(candidates, list(srcs), 'mif')  # the map that scores

    def scorer(img):
        return selector.score(img, selection, list(srcs), 'mif')[0]

    result = FusionRefiner().refine(candidates['ChooseMax'], srcs, 'mif', scorer)
    assert result.gain > 0
    (action,) = [a for a in result.actions if a['detector'] == 'hidden_structure']
    assert action['degraded'] and action['accepted']
    # the anatomy's fine structure is back inside the square, the intensity is kept
    inner = np.s_[20:44, 20:44]
    mri_fine = srcs[0] - cv2.GaussianBlur(srcs[0], (0, 0), 1.0)
    before = candidates['ChooseMax'] - cv2.GaussianBlur(candidates['ChooseMax'], (0, 0), 1.0)
    after = result.image - cv2.GaussianBlur(result.image, (0, 0), 1.0)
    assert np.corrcoef(after[inner].ravel(), mri_fine[inner].ravel())[0, 1] > 0.5
    assert np.corrcoef(before[inner].ravel(), mri_fine[inner].ravel())[0, 1] < 0.2
    assert abs(result.image[inner].mean() - candidates['ChooseMax'][inner].mean()) < 0.02


def test_keep_bright_undoes_darkening_of_bright_pixels_only():
    from fusionbox.pseudo_labels.refiners.fusion_refiner import keep_bright

    before = np.array([0.2, 0.5, 0.935, 1.0, 1.0], np.float32)
    after = np.array([0.1, 0.6, 0.835, 0.8, 1.0], np.float32)  # darker, brighter, ..., same
    out = keep_bright(before, after, 0.9, 0.97)
    np.testing.assert_allclose(out, [0.1, 0.6, 0.885, 1.0, 1.0], atol=1e-6)  # ramp halfway at 0.935
    with pytest.raises(ValueError, match='keep_bright'):
        FusionRefiner(components=dict(mif=[dict(detector='lost_texture', keep_bright=(0.9, 0.5))]))


def test_mif_refiner_keeps_saturated_bone_white():
    """CT-like bone (a saturated square) over MRI texture: MIF's defaults add no dark MRI detail
    inside it; the same components without the guard do."""
    srcs = _mri_pet()
    srcs[1] = np.where(srcs[1] > 0.5, 1.0, srcs[1])  # the 'bone': white, flat
    label = srcs.max(0)
    selector = TaskAwareSelector()
    selection = selector.select({'ChooseMax': label, 'Average': srcs.mean(0)}, list(srcs), 'mif')

    def scorer(img):
        return selector.score(img, selection, list(srcs), 'mif')[0]

    bone = label >= 0.999
    guarded = FusionRefiner().refine(label, srcs, 'mif', scorer)
    assert guarded.image[bone].min() >= 0.999
    plain = [a if isinstance(a, str) else a['detector'] for a in _mif_components()]
    unguarded = FusionRefiner(components=dict(mif=plain)).refine(label, srcs, 'mif', scorer)
    assert unguarded.image[bone].min() < 0.97  # what the guard prevents


def _mif_components():
    from fusionbox.pseudo_labels.refiners.fusion_refiner import DEFAULT_COMPONENTS

    return DEFAULT_COMPONENTS['mif']
