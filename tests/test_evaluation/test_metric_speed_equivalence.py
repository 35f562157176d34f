"""The fast paths of the slow metrics equal their straightforward definitions (values only)."""

import numpy as np
import pytest
from scipy import ndimage

from fusionbox.evaluation.functional import fmi as fmi_mod
from fusionbox.evaluation.functional import perceptual
from fusionbox.evaluation.functional.filters import freqspace_radius
from fusionbox.evaluation.functional.phase import _filter_bank, phase_congruency


# --- FMI: the O(l) joint entropy against the l x l joint PDF ----------------------------------
def _nfmi_dense(a: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Normalised feature MI of window pairs (rows), with the whole l x l joint PDF per window:
    coef * (double differences of the Frechet bound) + (1 - coef) fp (x) ap (reference)."""
    n, size = a.shape

    def minmax(x):
        lo, hi = x.min(1, keepdims=True), x.max(1, keepdims=True)
        flat = hi == lo
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.where(flat, 1.0, (x - lo) / np.where(flat, 1, hi - lo))

    an, fn = minmax(a), minmax(f)
    ap, fp = an / an.sum(1, keepdims=True), fn / fn.sum(1, keepdims=True)
    ac, fc = np.cumsum(ap, 1), np.cumsum(fp, 1)
    at, ft = ap - ap.mean(1, keepdims=True), fp - fp.mean(1, keepdims=True)
    s = (at * ft).sum(1)
    with np.errstate(invalid='ignore', divide='ignore'):
        c = np.where(s == 0, 0.0, s / np.sqrt((at * at).sum(1) * (ft * ft).sum(1)))
    idx = np.arange(1, size + 1, dtype=np.float64)
    a_sd = np.sqrt(np.maximum((idx * idx * ap).sum(1) - (idx * ap).sum(1) ** 2, 0))
    f_sd = np.sqrt(np.maximum((idx * idx * fp).sum(1) - (idx * fp).sum(1) ** 2, 0))
    upper = c >= 0
    x, y = fc[:, :, None], ac[:, None, :]
    bound = np.zeros((n, size + 1, size + 1))
    bound[:, 1:, 1:] = np.where(
        upper[:, None, None], 0.5 * (x + y - np.abs(x - y)), 0.5 * (x + y - 1 + np.abs(x + y - 1))
    )
    cov = (bound[:, 1:, 1:] - x * y).sum((1, 2))
    with np.errstate(invalid='ignore', divide='ignore'):
        ratio = c / (cov / (f_sd * a_sd))
    coef = np.where((a_sd == 0) | (f_sd == 0) | (upper & (c == 0)), 0.0, ratio)
    jpdf = np.diff(np.diff(bound, axis=1), axis=2) * coef[:, None, None]
    jpdf += (fp * (1 - coef)[:, None])[:, :, None] * ap[:, None, :]
    mag = np.abs(jpdf)
    joint = -(jpdf * np.log2(np.where(mag > 0, mag, 1))).sum((1, 2))

    def entropy(p):
        return -(p * np.log2(np.where(p > 0, p, 1))).sum(1)

    ha, hf = entropy(ap), entropy(fp)
    mi = ha + hf - joint
    with np.errstate(invalid='ignore', divide='ignore'):
        out = np.where(mi == 0, 0.0, 2 * mi / (ha + hf))
    return np.where(np.all(a == f, axis=1), 1.0, out)


def _random_windows(seed, n=6000, size=9):
    """Windows of every kind FMI meets: continuous, few levels (ties, zeros), heavy-tailed
    (DCT-like), flat, negatively correlated, equal to the fused window."""
    rng = np.random.default_rng(seed)
    a, f = rng.random((n, size)), rng.random((n, size))
    q = n // 6
    a[:q], f[q : 2 * q] = np.round(a[:q] * 3), np.round(f[q : 2 * q] * 2)
    a[2 * q : 3 * q] = rng.standard_cauchy((q, size))
    f[2 * q : 3 * q] = rng.standard_cauchy((q, size)) * 1e3
    f[3 * q : 4 * q] = 1 - a[3 * q : 4 * q] + 0.01 * rng.random((q, size))  # c < 0
    a[4 * q : 4 * q + 50] = 7.0  # flat source windows (half of them with a flat fused one)
    f[4 * q : 4 * q + 25] = 3.0
    f[4 * q + 50 : 4 * q + 100] = -2.0  # flat fused windows
    f[4 * q + 100 : 4 * q + 150] = a[4 * q + 100 : 4 * q + 150]
    a[5 * q :] = rng.random((n - 5 * q, size)) < 0.4  # binary (edge maps)
    f[5 * q :] = rng.random((n - 5 * q, size)) < 0.3
    return a, f


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_fmi_staircase_equals_dense_joint(seed):
    a, f = _random_windows(seed)
    fast = fmi_mod.nfmi_pairs(fmi_mod.window_side(a.T), fmi_mod.window_side(f.T, reverse=False))
    np.testing.assert_allclose(fast, _nfmi_dense(a, f), rtol=0, atol=1e-12)


def test_fmi_staircase_cells_are_the_bound_double_differences():
    from fusionbox.evaluation.functional import fmi_kernels

    rng = np.random.default_rng(5)
    fp, ap = rng.random((200, 9)), rng.random((200, 9))
    fp[:, 3] = 0
    fp[:7], ap[:7] = 1.0, 1.0  # uniform windows: every breakpoint tied
    fp, ap = fp / fp.sum(1, keepdims=True), ap / ap.sum(1, keepdims=True)
    fc, ac = np.cumsum(fp, 1), np.cumsum(ap, 1)
    inf = np.full((200, 1), np.inf)
    mass, _, sums = fmi_kernels.staircase(
        *(np.ascontiguousarray(x.T) for x in (np.hstack([fc, inf]), np.hstack([ac, inf]))),
        *(np.ascontiguousarray(x.T) for x in (fp, ap, np.log2(fp + 1e-300), np.log2(ap))),
    )
    dense = np.zeros((200, 10, 10))
    dense[:, 1:, 1:] = np.minimum(fc[:, :, None], ac[:, None, :])
    dense = np.diff(np.diff(dense, axis=1), axis=2)  # (200, i, j)
    idx = np.arange(1, 10)
    # the staircase carries every non-zero double difference, and nothing else
    for q in range(200):
        ours = np.sort(mass[:, q][np.abs(mass[:, q]) > 1e-15])
        np.testing.assert_allclose(ours, np.sort(dense[q][np.abs(dense[q]) > 1e-15]), atol=1e-15)
    np.testing.assert_allclose(sums[0], (dense * idx[:, None]).sum((1, 2)), rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        sums[1], (dense * idx[:, None] * idx[None, :]).sum((1, 2)), rtol=0, atol=1e-13
    )


def _windows(feat, w=3):
    """The valid w x w windows of an image as rows, elements in column-major order."""
    h, wd = feat.shape[0] - w + 1, feat.shape[1] - w + 1
    return np.stack(
        [feat[k % w : k % w + h, k // w : k // w + wd].ravel() for k in range(w * w)], axis=1
    )


def test_fmi_real_image_equals_dense_joint():
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:40, 0:44]
    a = np.round(120 + 60 * np.sin(x / 5.0) * np.cos(y / 7.0) + rng.normal(0, 8, x.shape))
    b = np.round(a[::-1] * 0.5 + rng.normal(0, 20, x.shape))
    f = np.round((a + b) / 2)
    for feature in ('none', 'dct'):
        ff = fmi_mod.fmi_features(f, feature)
        dense = np.mean(
            [
                _nfmi_dense(_windows(fmi_mod.fmi_features(s, feature)), _windows(ff)).mean()
                for s in (a, b)
            ]
        )
        assert fmi_mod.fmi(f, [a, b], feature) == pytest.approx(dense, abs=1e-12)


# --- Qp: phase congruency with SciPy's FFT and regrouped sums ---------------------------------
def _phase_congruency_direct(im, k=2.0, cut_off=0.5, g=10.0):
    """``myphasecong3`` transcribed with NumPy's complex FFTs, operation by operation."""
    rows, cols = im.shape
    bank, noise = _filter_bank(rows, cols)
    norient, nscale = bank.shape[:2]
    image_fft = np.fft.fft2(im)
    total_energy, total_sum_an = np.zeros_like(im), np.zeros_like(im)
    covx2, covy2, covxy = (np.zeros_like(im) for _ in range(3))
    for o in range(norient):
        angl = o * np.pi / norient
        eo = np.fft.ifft2(image_fft[None] * bank[o], axes=(-2, -1))
        e, od, an = eo.real, eo.imag, np.abs(eo)
        sum_an, sum_e, sum_o = an.sum(0), e.sum(0), od.sum(0)
        x_energy = np.sqrt(sum_e**2 + sum_o**2) + 1e-4
        mean_e, mean_o = sum_e / x_energy, sum_o / x_energy
        energy = (e * mean_e + od * mean_o - np.abs(e * mean_o - od * mean_e)).sum(0)
        em_n, sum_an2, sum_aiaj = noise[o]
        noise_power = (-np.median(an[0] ** 2) / np.log(0.5)) / em_n
        tau = np.sqrt((2 * noise_power * sum_an2 + 4 * noise_power * sum_aiaj) / 2)
        threshold = (tau * np.sqrt(np.pi / 2) + k * np.sqrt((2 - np.pi / 2) * tau**2)) / 1.7
        energy = np.maximum(energy - threshold, 0)
        width = sum_an / (an.max(0) + 1e-4) / nscale
        weight = 1.0 / (1 + np.exp((cut_off - width) * g))
        total_sum_an += sum_an
        total_energy += weight * energy
        pc = weight * energy / sum_an
        covx, covy = pc * np.cos(angl), pc * np.sin(angl)
        covx2 += covx**2
        covy2 += covy**2
        covxy += covx * covy
    covx2 /= norient / 2
    covy2 /= norient / 2
    covxy /= norient
    denom = np.sqrt(covxy**2 + (covx2 - covy2) ** 2) + 1e-4
    return (
        total_energy / (total_sum_an + 1e-4),
        (covy2 + covx2 + denom) / 2,
        (covy2 + covx2 - denom) / 2,
    )


def _textured(seed, h=60, w=70):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 4.0 + seed) * np.cos(y / 6.0) + rng.normal(0, 10, (h, w))
    img[h // 3 :, w // 2 :] += 50  # a step edge
    return np.clip(np.round(img), 0, 255)


def test_phase_congruency_equals_direct_transcription():
    img = _textured(3)
    for ours, ref in zip(phase_congruency(img), _phase_congruency_direct(img)):
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_phase_congruency_noise_median_is_numpy_median():
    from fusionbox.evaluation.functional.phase_kernels import median_nonnegative

    rng = np.random.default_rng(11)
    cases = [
        rng.random(1001),
        rng.random(1000) * 10.0 ** rng.integers(-300, 300, 1000),  # many binades
        1 + rng.random(5000) * 1e-12,  # one narrow range
        np.round(rng.random(4000) * 3),  # few values, ties across the middle ranks
        rng.choice([0.0, 5e-324, 1e-300, 1.0, np.inf], 3001),
        np.repeat(rng.random(2), 700),  # two values, the middle ranks in both
        np.zeros(999),
        (rng.standard_normal((60, 70)) * 50) ** 2,
        np.array([3.0]),
    ]
    for x in cases:
        assert median_nonnegative(x) == np.median(x)
    assert np.isnan(median_nonnegative(np.array([1.0, np.nan, 2.0])))


# --- Qcb / Qcv: real FFTs for an even response -------------------------------------------------
@pytest.mark.parametrize('shape', [(60, 70), (61, 71)])
def test_csf_responses_are_even_and_real_fft_equals_complex(shape):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, shape).astype(np.float64)
    for scale in (30, 8):
        resp = np.exp(-freqspace_radius(shape, shape[0] / scale, shape[1] / scale))
        full = np.fft.ifft2(np.fft.fft2(img) * np.fft.ifftshift(resp))
        real = perceptual.fft_filter_even(img, resp)
        np.testing.assert_allclose(real, full.real, rtol=0, atol=1e-12 * np.abs(full).max())
        assert np.abs(full.imag).max() < 1e-12 * np.abs(full.real).max()


def test_qcb_qcv_equal_complex_transcriptions():
    a, b = _textured(1), _textured(2)
    f = np.round((a + b) / 2)
    imgs = [perceptual.normalize_255(x) for x in (a, b, f)]
    h, w = a.shape

    def contrast(x):
        r = freqspace_radius((h, w), h / 30, w / 30)
        csf = np.exp(-((r / 15.3870) ** 2)) - 0.7622 * np.exp(-((r / 1.3456) ** 2))
        y = np.fft.ifft2(np.fft.fft2(x) * np.fft.ifftshift(csf))
        t = np.arange(-15, 16)
        out = []
        for sigma in (2, 4):
            g = np.exp(-(t[:, None] ** 2 + t[None] ** 2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
            out.append(
                ndimage.correlate(y.real, g, mode='constant')
                + 1j * ndimage.correlate(y.imag, g, mode='constant')
            )
        c = np.abs(out[0] / out[1] - 1)
        return c**3 / (c**2 + 1e-4)

    c1, c2, cf = (contrast(x) for x in imgs)
    q = (c1**2 * np.minimum(c1 / cf, cf / c1) + c2**2 * np.minimum(c2 / cf, cf / c2)) / (
        c1**2 + c2**2
    )
    assert perceptual.qcb(f, a, b) == pytest.approx(q.mean(), rel=1e-12)


def test_fmi_window_sums_are_in_numpy_row_order():
    from fusionbox.evaluation.functional import fmi_kernels

    rng = np.random.default_rng(3)
    for size in (3, 8, 9, 17, 25, 49, 121):
        x = rng.random((size, 500)) * 10.0 ** rng.integers(-5, 5, (size, 500))
        out = np.empty(500)
        fmi_kernels.col_sums(x, out, np.empty((8, 500)))
        np.testing.assert_array_equal(out, np.ascontiguousarray(x.T).sum(1))


# --- a grey source repeated per colour channel is computed once, with the same values ----------
@pytest.mark.parametrize(
    'name, protocol',
    [
        ('Qcb', 'vifb'),
        ('Qcb', 'mefb'),
        ('FMI', 'mefb'),
        ('VIF', 'mefb'),
        ('Qw', 'mefb'),
        ('Qy', 'mefb'),
        ('Qc', 'mefb'),
        ('Qp', 'mefb'),
    ],
)
def test_repeated_grey_source_gives_the_per_channel_values(name, protocol):
    from fusionbox.evaluation.functional import get_metric

    grey_src = _textured(4, 64, 72).astype(np.uint8)
    colour_src = np.stack([_textured(5 + k, 64, 72) for k in range(3)], -1).astype(np.uint8)
    fused = np.round((colour_src + grey_src[..., None]) / 2).astype(np.uint8)
    metric = get_metric(name)
    # each channel on its own (fresh arrays, nothing shared), averaged as the wrappers do
    per_channel = [
        metric(
            fused[..., k].copy(), [colour_src[..., k].copy(), grey_src.copy()], protocol=protocol
        )
        for k in range(3)
    ]
    ours = metric(fused, [colour_src, grey_src], protocol=protocol)
    assert ours == pytest.approx(np.mean(per_channel), rel=1e-14, abs=1e-14)


# --- VIFF: the branches folded, sides shared, VID of the chosen source only --------------------
def _viff_direct(fused, sources, sigma_nsq=0.005 * 255 * 255):
    """Han's ``ComVidVindG`` and selection transcribed branch by branch (reference)."""
    from fusionbox.evaluation.functional.filters import gaussian_1d, sep_filter_valid

    maps = []
    for ref in sources:
        ref, dist, per_scale = ref.astype(float), fused.astype(float), []
        for scale in range(1, 5):
            n = 2 ** (5 - scale) + 1
            win = gaussian_1d(n, n / 5.0)
            if scale > 1:
                ref = np.ascontiguousarray(sep_filter_valid(ref, win)[::2, ::2])
                dist = np.ascontiguousarray(sep_filter_valid(dist, win)[::2, ::2])
            mu1, mu2 = sep_filter_valid(ref, win), sep_filter_valid(dist, win)
            s1 = np.maximum(sep_filter_valid(ref * ref, win) - mu1 * mu1, 0)
            s2 = np.maximum(sep_filter_valid(dist * dist, win) - mu2 * mu2, 0)
            s12 = sep_filter_valid(ref * dist, win) - mu1 * mu2
            g = s12 / (s1 + 1e-10)
            sv = s2 - g * s12
            low1 = s1 < 1e-10
            g[low1], sv[low1], s1[low1] = 0, s2[low1], 0
            low2 = s2 < 1e-10
            g[low2], sv[low2] = 0, 0
            neg = g < 0
            sv[neg], g[neg] = s2[neg], 0
            sv[sv <= 1e-10] = 1e-10
            vid = np.log10(1 + g * g * s1 / (sv + sigma_nsq))
            per_scale.append((vid, np.log10(1 + s1 / sigma_nsq), g))
        maps.append(per_scale)
    ratios = []
    for scale in range(4):
        second = maps[1][scale][2] <= maps[0][scale][2]
        vid = np.where(second, maps[1][scale][0], maps[0][scale][0])
        vind = np.where(second, maps[1][scale][1], maps[0][scale][1])
        ratios.append(np.sum(vid + 1e-7) / np.sum(vind + 1e-7))
    return float(np.sum(np.asarray(ratios) * np.array([1.0, 0.0, 0.15, 1.0]) / 2.15))


@pytest.mark.parametrize('seed', [0, 1, 2, 3])
def test_viff_equals_branch_by_branch_transcription(seed):
    from fusionbox.evaluation.functional.vif import viff

    rng = np.random.default_rng(seed)
    a, b = (np.round(rng.random((96, 100)) * 255) for _ in range(2))
    a[:40, :50] = 30  # flat patches: one source or both flat (the variance branches)
    b[30:70, 20:80] = 200
    f = np.round((a + b) / 2)
    f[60:, :30] = 0
    if seed % 2:
        f = 255 - f  # negative gains
    assert viff(f, [a, b]) == pytest.approx(_viff_direct(f, [a, b]), rel=1e-14)
