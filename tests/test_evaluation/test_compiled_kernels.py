"""Compiled kernels equal what they replace bit for bit: SciPy's uniform filter and
scikit-image's SSIM map (cddfuse), OpenCV's separable filter, Qabf's NumPy expressions."""

import numpy as np
import pytest
from scipy import ndimage


# --- SSIM (cddfuse): compiled uniform filter and map ------------------------------------------
@pytest.mark.parametrize('shape', [(48, 64), (7, 7), (8, 9), (3, 20), (1, 5), (13, 4)])
@pytest.mark.parametrize('size', [3, 7])
def test_uniform_filter_equals_scipy_bit_for_bit(shape, size):
    from fusionbox.evaluation.functional.ssim_kernels import uniform_filter

    rng = np.random.default_rng(size + shape[0])
    for scale in (1.0, 255.0, 65025.0):
        x = (rng.random(shape) * scale).astype(np.float32)
        for img in (x, np.round(x)):
            out = np.empty_like(img)
            uniform_filter(img, size, out)
            ref = ndimage.uniform_filter(img, size=size)
            assert np.array_equal(out.view(np.int32), ref.view(np.int32))


def _ssim_skimage019_numpy(x, y, win=7):
    """scikit-image 0.19's ``structural_similarity(x, y)`` on float32, data_range 2, written
    with NumPy and SciPy as it is (reference)."""
    x, y = x.astype(np.float32), y.astype(np.float32)
    cov_norm = np.float32(win * win / (win * win - 1.0))
    c1, c2 = np.float32(0.02**2), np.float32(0.06**2)
    ux, uy = ndimage.uniform_filter(x, size=win), ndimage.uniform_filter(y, size=win)
    uxx, uyy = ndimage.uniform_filter(x * x, size=win), ndimage.uniform_filter(y * y, size=win)
    uxy = ndimage.uniform_filter(x * y, size=win)
    vx, vy, vxy = cov_norm * (uxx - ux * ux), cov_norm * (uyy - uy * uy), cov_norm * (uxy - ux * uy)
    a1, a2, b1, b2 = 2 * ux * uy + c1, 2 * vxy + c2, ux**2 + uy**2 + c1, vx + vy + c2
    s = (a1 * a2) / (b1 * b2)
    return float(s[3:-3, 3:-3].mean(dtype=np.float64))


def test_ssim_skimage019_equals_numpy_expressions():
    from fusionbox.evaluation.functional.similarity import ssim_skimage019

    rng = np.random.default_rng(5)
    f = np.round(rng.random((50, 60)) * 255).astype(np.float32)
    srcs = [np.round(rng.random((50, 60)) * 255).astype(np.float32), f.copy(), np.zeros_like(f)]
    assert ssim_skimage019(f, srcs) == [_ssim_skimage019_numpy(f, s) for s in srcs]


def test_cddfuse_grey_conversion_is_the_evaluators():
    import cv2

    from fusionbox.evaluation.functional.base import protocol_image

    rng = np.random.default_rng(6)
    rgb = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    bgr = np.ascontiguousarray(rgb[..., ::-1], np.float32)  # cv2.imread(...).astype(float32)
    ref = np.round(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    assert np.array_equal(protocol_image(rgb, 'cddfuse'), ref)


# --- separable filtering: OpenCV's arithmetic, compiled ----------------------------------------
def _filter_cases():
    from fusionbox.evaluation.functional.filters import gaussian_1d

    rng = np.random.default_rng(8)
    kernels = [gaussian_1d(n, n / 5) for n in (17, 9, 5, 3)]
    kernels += [gaussian_1d(11, 1.5), gaussian_1d(7, 1.5), np.ones(7) / 7, np.array([1.0])]
    for shape in [(60, 70), (1, 1), (3, 2), (5, 40), (40, 5), (17, 17), (16, 18)]:
        for img in (rng.random(shape) * 255, np.round(rng.random(shape) * 255),
                    rng.standard_normal(shape) * 1e3):  # fmt: skip
            for k in kernels:
                yield img, k


def test_sep_filter_equals_opencv_bit_for_bit():
    """The compiled passes are OpenCV's float64 sepFilter2D (row pass: sequential fused
    multiply-adds; column pass: symmetric pairs), as dispatched on CPUs with AVX2 and FMA."""
    import cv2

    from fusionbox.evaluation.functional.filters import sep_filter_same, sep_filter_valid

    built = cv2.getCPUFeaturesLine().replace('*', '').replace('?', '').split()
    if 'AVX2' not in built or not cv2.checkHardwareSupport(11):  # 11: cv::CPU_AVX2
        pytest.skip('OpenCV runs its float64 filters with FMA where it dispatches AVX2 code')
    for img, k in _filter_cases():
        ref = cv2.sepFilter2D(img, cv2.CV_64F, k, k, borderType=cv2.BORDER_CONSTANT)
        assert np.array_equal(sep_filter_same(img, k).view(np.int64), ref.view(np.int64))
        r = len(k) // 2
        for step in (1, 2):
            valid = ref[r : img.shape[0] - r, r : img.shape[1] - r][::step, ::step]
            ours = sep_filter_valid(img, k, step)
            assert ours.shape == valid.shape
            assert np.array_equal(ours.view(np.int64), valid.view(np.int64))


def test_sep_filter_is_the_zero_padded_correlation():
    from fusionbox.evaluation.functional.filters import sep_filter_same

    for img, k in _filter_cases():
        ref = ndimage.correlate(img, np.outer(k, k), mode='constant')
        np.testing.assert_allclose(sep_filter_same(img, k), ref, rtol=1e-13, atol=1e-10)


def test_sep_filter_refuses_a_kernel_that_is_not_odd_and_symmetric():
    from fusionbox.evaluation.functional.filters import sep_filter_same

    for k in (np.array([0.2, 0.8]), np.array([0.1, 0.5, 0.4])):
        with pytest.raises(ValueError, match='odd symmetric'):
            sep_filter_same(np.ones((5, 5)), k)


# --- Qabf: compiled element-wise terms ----------------------------------------------------------
def _edge_preservation_numpy(g_s, a_s, g_f, a_f, equal_takes_fused):
    from fusionbox.evaluation.functional.edge import DA, DG, KA, KG, TA, TG

    with np.errstate(divide='ignore', invalid='ignore'):
        rel = np.minimum(g_s, g_f) / np.maximum(g_s, g_f)
    np.copyto(rel, g_f if equal_takes_fused else 1, where=g_s == g_f, casting='unsafe')
    ang = 1 - np.abs(a_s - a_f) / (np.pi / 2)
    return TG / (1 + np.exp(KG * (rel - DG))) * (TA / (1 + np.exp(KA * (ang - DA))))


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('equal_takes_fused', [True, False])
def test_qabf_terms_equal_numpy_expressions(dtype, equal_takes_fused):
    from fusionbox.evaluation.functional.edge import edge_preservation, sobel_strength_orientation
    from fusionbox.evaluation.functional.filters import SOBEL_X, SOBEL_Y, sobel_same

    rng = np.random.default_rng(9)
    a = np.round(rng.random((40, 50)) * 255).astype(dtype)
    f = a.copy()
    f[:, 25:] = np.round(rng.random((40, 25)) * 255)  # half equal to the source, half not
    a[:5] = 7  # flat rows: zero gradients
    sides = []
    for img in (a, f):
        sx, sy = sobel_same(img, SOBEL_X), sobel_same(img, SOBEL_Y)
        zero = sx == 0
        ang = np.arctan(sy / np.where(zero, 1, sx))
        ang[zero] = np.pi / 2
        g, o = sobel_strength_orientation(img)
        assert g.dtype == o.dtype == dtype
        assert np.array_equal(g, np.sqrt(sx * sx + sy * sy)) and np.array_equal(o, ang)
        sides.append((g, o))
    (g_s, a_s), (g_f, a_f) = sides
    ours = edge_preservation(g_s, a_s, g_f, a_f, equal_takes_fused)
    ref = _edge_preservation_numpy(g_s, a_s, g_f, a_f, equal_takes_fused)
    assert ours.dtype == ref.dtype == dtype
    assert np.array_equal(ours, ref, equal_nan=True)
