"""Liu-toolbox metrics (NMI, TE, Qncie, Qy, Qc, Qs, Qw, Qe) and the mefb protocol: identities."""

import numpy as np
import pytest

from fusionbox.evaluation.functional import get_metric, list_metrics


def _smooth(h=48, w=56, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 5.0 + seed) * np.cos(y / 7.0 + seed) + rng.normal(0, 8, (h, w))
    return np.clip(np.round(img), 0, 255)


A, B = _smooth(seed=1), _smooth(seed=2)
F = np.round((A + B) / 2)
UNIFORM = np.random.default_rng(3).permutation(np.arange(256.0)).reshape(16, 16)


def test_registered_with_direction_and_protocols():
    for name in ('NMI', 'TE', 'Qncie', 'Qy', 'Qc', 'Qs', 'Qw', 'Qe'):
        fn = get_metric(name)
        assert fn.higher_is_better and 'standard' in fn.spec.protocols
    assert {'NMI', 'TE', 'Qncie', 'Qy', 'Qc', 'Qw'} <= set(list_metrics('mefb'))


@pytest.mark.parametrize('protocol', ['standard', 'mefb'])
def test_nmi_identities(protocol):
    nmi = get_metric('NMI')
    assert nmi(A, [A], protocol=protocol) == pytest.approx(1.0)
    assert nmi(A, [A, A], protocol=protocol) == pytest.approx(2.0)
    assert 0 < nmi(F, [A, B], protocol=protocol) < 2


def test_te_of_an_image_with_itself():
    p = np.bincount(A.astype(int).ravel(), minlength=256) / A.size
    p = p[p > 0]
    q = 1.85
    expected = (1 - (p ** (2 - q)).sum()) / (1 - q)  # p_ii^q / (p_i p_i)^(q-1)
    assert get_metric('TE')(A, [A]) == pytest.approx(expected)
    assert get_metric('TE')(UNIFORM, [UNIFORM], protocol='mefb') == pytest.approx(
        (1 - 256 * (1 / 256) ** (2 - q)) / (1 - q)
    )


def test_qncie_identities():
    qncie = get_metric('Qncie')
    # a uniform 256-level image: NCC = H / 8 = 1, R is all ones, eigenvalues (3, 0, 0)
    assert qncie(UNIFORM, [UNIFORM, UNIFORM]) == pytest.approx(1.0)
    assert qncie(UNIFORM, [UNIFORM, UNIFORM], protocol='mefb') == pytest.approx(1.0)
    assert 0 < qncie(F, [A, B]) < 1


@pytest.mark.parametrize('name', ['Qy', 'Qc', 'Qs', 'Qw', 'Qe'])
def test_structural_metrics_are_one_for_identical_images(name):
    fn = get_metric(name)
    assert fn(A, [A, A]) == pytest.approx(1.0)
    assert fn(F, [A, B]) < 1
    if 'mefb' in fn.spec.protocols:
        assert fn(A, [A, A], protocol='mefb') == pytest.approx(1.0)
    with pytest.raises(ValueError, match='exactly two sources'):
        fn(A, [A])


def test_mefb_colour_handling():
    rgb = np.stack([A, B, F], -1).astype(np.uint8)
    nmi = get_metric('NMI')
    # grey sources with a colour fused image: its red channel only
    assert nmi(rgb, [A, B], protocol='mefb') == pytest.approx(nmi(A, [A, B], protocol='mefb'))
    # colour sources: per channel, averaged
    expected = np.mean(
        [nmi(rgb[..., k], [rgb[..., k], rgb[..., k]], protocol='mefb') for k in range(3)]
    )
    assert nmi(rgb, [rgb, rgb], protocol='mefb') == pytest.approx(expected)


# --- MEF-SSIM -----------------------------------------------------------------------------------
def _mef_ssim_loops(seq, f, k=0.03, w=11):
    """The authors' single-scale mef_ssim written window by window (a slow oracle)."""
    from fusionbox.evaluation.functional.filters import gaussian_1d

    g = np.outer(gaussian_1d(w, 1.5), gaussian_1d(w, 1.5)).ravel()
    eps = np.finfo(float).eps
    n, h, wd = seq.shape
    c = (k * 255) ** 2
    q = []
    for i in range(h - w + 1):
        for j in range(wd - w + 1):
            vecs = seq[:, i : i + w, j : j + w].reshape(n, -1)
            mu = vecs.mean(1)
            ed = np.sqrt(np.maximum(w * w * vecs.var(1), 0)) + 0.001
            den = sum(np.linalg.norm(vecs[m] - mu[m]) for m in range(n))
            tot = vecs.sum(0)
            r = (np.linalg.norm(tot - tot.mean()) + eps) / (den + eps)
            r = 1 - eps if r > 1 else (eps if r < 0 else r)
            p = min(np.tan(np.pi / 2 * r), 10)
            wm = (ed / w) ** p + eps
            wm = wm / wm.sum()
            rb = sum(wm[m] * (vecs[m] - mu[m]) / ed[m] for m in range(n))
            if np.linalg.norm(rb) > 0:
                rb = rb / np.linalg.norm(rb) * ed.max()
            fv = f[i : i + w, j : j + w].ravel()
            m1, m2 = (g * rb).sum(), (g * fv).sum()
            s1, s2 = (g * (rb - m1) ** 2).sum(), (g * (fv - m2) ** 2).sum()
            s12 = (g * (rb - m1) * (fv - m2)).sum()
            q.append((2 * s12 + c) / (s1 + s2 + c))
    return float(np.mean(q))


def _exposures(h=48, w=52):
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:h, 0:w]
    scene = 120 + 80 * np.sin(x / 6.0) * np.cos(y / 8.0) + rng.normal(0, 5, (h, w))
    return (np.clip(np.round(scene * k), 0, 255) for k in (1.0, 0.5, 1.6))


def test_mef_ssim_matches_window_loops_and_identities():
    from fusionbox.evaluation.functional.mef import mef_ssim_single

    good, under, over = _exposures()
    fused = np.round((under + over) / 2)
    seq = np.stack([under, over])
    small = (slice(0, 24), slice(0, 26))
    ours = mef_ssim_single(seq[(slice(None),) + small], fused[small])
    assert ours == pytest.approx(
        _mef_ssim_loops(seq[(slice(None),) + small], fused[small]), rel=1e-9
    )
    mef = get_metric('MEF_SSIM')
    assert mef(good, [good]) == pytest.approx(1.0)  # a stack of one, fused to itself
    assert mef(good, [good, good, good], protocol='mefb') == pytest.approx(1.0)
    # a stack fused to its well-exposed (highest-contrast, structurally consistent) member
    assert mef(good, [good, under]) > 0.99
    assert mef(under, [good, under]) < mef(good, [good, under])
    assert mef(np.full_like(good, 128), [under, over]) < 0.2
    with pytest.raises(ValueError, match='at least 44 pixels'):
        mef(good[:30], [good[:30]])
