"""FMI, MS-SSIM, VIFF, Nabf and Qp: identities, independent transcriptions, protocol wiring."""

import numpy as np
import pytest
from scipy import ndimage

from fusionbox.evaluation import get_metric, list_metrics
from fusionbox.evaluation.functional.edge import nabf
from fusionbox.evaluation.functional.fmi import fmi, fmi_features, matlab_edge_sobel
from fusionbox.evaluation.functional.mef import mef_ssim
from fusionbox.evaluation.functional.phase import phase_congruency
from fusionbox.evaluation.functional.similarity import ms_ssim
from fusionbox.evaluation.functional.vif import viff


def _smooth(seed, h=64, w=72):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 5.0 + seed) * np.cos(y / 7.0 - seed) + rng.normal(0, 8, (h, w))
    return np.clip(np.round(img), 0, 255)


# --- FMI ----------------------------------------------------------------------------------------
def _nfmi_window_loop(a_sub, f_sub):
    """The authors' per-window code, transcribed statement by statement (reference only)."""
    if np.array_equal(a_sub, f_sub):
        return 1.0
    a_sub, f_sub = a_sub.astype(float), f_sub.astype(float)
    a_sub = (
        np.ones_like(a_sub)
        if a_sub.max() == a_sub.min()
        else ((a_sub - a_sub.min()) / (a_sub.max() - a_sub.min()))
    )
    f_sub = (
        np.ones_like(f_sub)
        if f_sub.max() == f_sub.min()
        else ((f_sub - f_sub.min()) / (f_sub.max() - f_sub.min()))
    )
    ap = a_sub.ravel(order='F') / a_sub.sum()
    fp = f_sub.ravel(order='F') / f_sub.sum()
    n = len(ap)
    ac, fc = np.cumsum(ap), np.cumsum(fp)
    at, ft = ap - ap.mean(), fp - fp.mean()
    c = (
        0.0
        if np.sum(at * ft) == 0
        else np.sum(at * ft) / np.sqrt(np.sum(at * at) * np.sum(ft * ft))
    )
    i = np.arange(1, n + 1)
    a_sd = np.sqrt(max(np.sum(i * i * ap) - np.sum(i * ap) ** 2, 0))
    f_sd = np.sqrt(max(np.sum(i * i * fp) - np.sum(i * fp) ** 2, 0))
    if c >= 0:
        bnd = lambda x, y: 0.5 * (x + y - abs(x - y))  # noqa: E731
        deg = c == 0 or a_sd == 0 or f_sd == 0
    else:
        bnd = lambda x, y: 0.5 * (x + y - 1 + abs(x + y - 1))  # noqa: E731
        deg = a_sd == 0 or f_sd == 0
    if deg:
        k = 0.0
    else:
        cov = sum(bnd(fc[p], ac[q]) - fc[p] * ac[q] for p in range(n) for q in range(n))
        k = c / (cov / (f_sd * a_sd))
    joint = 0.0
    for p in range(n):
        for q in range(n):
            up = bnd(fc[p], ac[q])
            if p:
                up -= bnd(fc[p - 1], ac[q])
            if q:
                up -= bnd(fc[p], ac[q - 1])
            if p and q:
                up += bnd(fc[p - 1], ac[q - 1])
            jp = k * up + (1 - k) * fp[p] * ap[q]
            if jp != 0:
                joint += -jp * np.log2(abs(jp))
    ha = -sum(x * np.log2(x) for x in ap if x != 0)
    hf = -sum(x * np.log2(x) for x in fp if x != 0)
    mi = ha + hf - joint
    return 0.0 if mi == 0 else 2 * mi / (ha + hf)


def _fmi_loop(fused, sources, feature, w=3):
    ff = fmi_features(fused, feature)
    vals = []
    for s in sources:
        sf = fmi_features(s, feature)
        m, n = sf.shape
        vals.append(
            np.mean(
                [
                    _nfmi_window_loop(sf[p : p + w, q : q + w], ff[p : p + w, q : q + w])
                    for p in range(m - w + 1)
                    for q in range(n - w + 1)
                ]
            )
        )
    return float(np.mean(vals))


@pytest.mark.parametrize('feature', ['none', 'edge', 'dct'])
def test_fmi_matches_window_loop(feature):
    a, b = _smooth(1, 14, 15), _smooth(2, 14, 15)
    b[:4, :5] = 77  # flat blocks exercise the degenerate branches
    f = np.round((a + b) / 2)
    f[5:8, 5:8] = a[5:8, 5:8]  # windows where the fused block equals a source block
    ours = fmi(f, [a, b], feature)
    assert ours == pytest.approx(_fmi_loop(f, [a, b], feature), abs=1e-12)


def test_fmi_identities_and_protocols():
    a, b = _smooth(3), _smooth(4)
    f = np.round((a + b) / 2)
    for name in ('FMI', 'FMI_pixel', 'FMI_dct', 'FMI_w'):
        assert get_metric(name)(a, [a]) == pytest.approx(1.0)  # FMI of A with [A] is 1
        assert 0 < get_metric(name)(f, [a, b]) < 1
    noisy = np.clip(f + np.random.default_rng(0).normal(0, 25, f.shape), 0, 255)
    assert get_metric('FMI_pixel')(noisy, [a, b]) < get_metric('FMI_pixel')(f, [a, b])
    # tang's "FMI_pixel" is the default edge feature on [0, 1] images (edge maps are scale-free)
    assert get_metric('FMI_pixel')(f, [a, b], protocol='tang') == pytest.approx(
        get_metric('FMI')(f, [a, b]), abs=1e-12
    )
    # MATLAB edge(): thinned Sobel edges of a vertical step sit on one column
    step = np.zeros((20, 20))
    step[:, 10:] = 200
    e = matlab_edge_sobel(step)
    assert e.any() and set(np.nonzero(e.any(0))[0]) <= {9, 10}


# --- MS-SSIM ------------------------------------------------------------------------------------
def _ms_ssim_independent(x, y):
    """Per-scale SSIM / cs with SciPy's Gaussian filter, 'valid' crop, exact 2x2 means (the
    image sides are multiples of 16)."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    w = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
    cs, s = [], None
    for level in range(5):
        if level:
            x = x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).mean((1, 3))
            y = y.reshape(y.shape[0] // 2, 2, y.shape[1] // 2, 2).mean((1, 3))
        g = lambda im: ndimage.gaussian_filter(im, 1.5, truncate=3.5)[5:-5, 5:-5]  # noqa: E731
        mx, my = g(x), g(y)
        vx, vy, cxy = g(x * x) - mx**2, g(y * y) - my**2, g(x * y) - mx * my
        cs_map = (2 * cxy + c2) / (vx + vy + c2)
        cs.append(cs_map.mean())
        s = ((2 * mx * my + c1) / (mx**2 + my**2 + c1) * cs_map).mean()
    return np.prod(np.array(cs[:4]) ** w[:4]) * s ** w[4]


def test_ms_ssim_identity_and_independent_scales():
    a, b = _smooth(5, 192, 176), _smooth(6, 192, 176)
    assert ms_ssim(a, a) == pytest.approx(1.0)
    f = np.round(0.7 * a + 0.3 * b)
    assert ms_ssim(a, f) == pytest.approx(_ms_ssim_independent(a, f), abs=1e-10)
    assert get_metric('MS_SSIM')(f, [a, b]) == pytest.approx((ms_ssim(a, f) + ms_ssim(b, f)) / 2)
    with pytest.raises(ValueError, match='176'):
        ms_ssim(a[:100], f[:100])
    # tang: MEF-SSIM with the two sources as an exposure stack
    assert get_metric('MS_SSIM')(f, [a, b], protocol='tang') == pytest.approx(mef_ssim([a, b], f))


# --- VIFF ---------------------------------------------------------------------------------------
def test_viff_identity_and_ordering():
    a, b = _smooth(7, 96, 96), _smooth(8, 96, 96)
    assert viff(a, [a]) == pytest.approx(1.0, abs=1e-6)
    assert viff(a, [a, a]) == pytest.approx(1.0, abs=1e-6)
    f = np.round((a + b) / 2)
    noisy = np.clip(f + np.random.default_rng(1).normal(0, 20, f.shape), 0, 255)
    assert 0 < viff(noisy, [a, b]) < viff(f, [a, b]) < 1
    # MEFB's "VIF" is Han's VIFF; a colour fused image with grey sources uses its red channel
    rgb = np.stack([f, b, a], -1).astype(np.uint8)
    assert get_metric('VIF')(rgb, [a.astype(np.uint8), b.astype(np.uint8)], protocol='mefb') == (
        pytest.approx(viff(f, [a, b]))
    )


# --- Nabf ---------------------------------------------------------------------------------------
def test_nabf_zero_without_artefacts():
    a, b = _smooth(9), _smooth(10)
    for protocol in ('standard', 'tang'):
        assert get_metric('Nabf')(a, [a, b], protocol=protocol) == 0
    assert nabf((a + b) / 2, [a, b]) == 0  # exact average: no gradient above both sources
    sharpened = np.clip(2 * a - ndimage.uniform_filter(a, 3), 0, 255)
    assert 0 < nabf(sharpened, [a, b]) < 1
    # tang works on [0, 1] images, where every weight is wt_min: a plain mean of the losses
    vt = get_metric('Nabf')(sharpened, [a, b], protocol='tang')
    assert 0 < vt < 1 and vt != pytest.approx(nabf(sharpened, [a, b]))


# --- Qp -----------------------------------------------------------------------------------------
def test_phase_congruency_and_qp():
    step = np.full((64, 64), 50.0)
    step[:, 32:] = 200
    pc, big_m, small_m = phase_congruency(step)
    assert pc[:, 30:34].max() > 0.5 and pc[:, 5:20].max() < 0.1  # the edge, not the flats
    assert np.all(big_m >= small_m - 1e-12)
    a, b = _smooth(11), _smooth(12)
    f = np.round((a + b) / 2)
    noisy = np.clip(f + np.random.default_rng(2).normal(0, 30, f.shape), 0, 255)
    qp = get_metric('Qp')
    assert qp(a, [a, a]) > 0.9
    assert 0 < qp(noisy, [a, b]) < qp(f, [a, b]) <= 1


# --- protocol wiring ----------------------------------------------------------------------------
def test_protocol_metric_sets():
    mefb = {n for n in list_metrics('mefb') if not get_metric(n).spec.needs_gt}
    assert mefb == {
        'CE',
        'EN',
        'MEF_SSIM',
        'FMI',
        'NMI',
        'Qncie',
        'TE',
        'PSNR',
        'AG',
        'EI',
        'SD',
        'SF',
        'Qabf',
        'Qcb',
        'Qcv',
        'Qp',
        'Qc',
        'Qw',
        'Qy',
        'VIF',
    }  # MEFB's 20 metrics
    tang = set(list_metrics('tang'))
    assert {'Nabf', 'MS_SSIM', 'FMI_pixel', 'FMI_dct', 'FMI_w'} <= tang
    assert not get_metric('Nabf').higher_is_better and get_metric('Qp').higher_is_better
