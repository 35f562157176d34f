"""Information- and structure-based metrics from Liu et al.'s toolbox, as MEFB calls them:
NMI, TE, Qncie (information), Qy, Qc, Qs, Qw, Qe (structural similarity).

Ref: Z. Liu et al., "Objective assessment of multiresolution image fusion algorithms for context
enhancement in night vision: a comparative study", IEEE TPAMI 34(1), 2012 and
zhengliu6699/imageFusionMetrics; X. Zhang, "Benchmarking and comparing multi-exposure image
fusion algorithms", Information Fusion 74, 2021 (MEFB, ``metrics/metrics*.m``).
Definitions: M. Hossny et al., Electron. Lett. 44(18), 2008 (NMI); N. Cvejic et al., Electron.
Lett. 42(11), 2006 (TE, q = 1.85); Q. Wang et al., Physica D 200, 2005 (Qncie); C. Yang et al.,
Information Fusion 9(2), 2008 (Qy); N. Cvejic et al., IJSP 2(3), 2005 (Qc); G. Piella and
H. Heijmans, ICIP 2003 (Qs, Qw, Qe).

``standard`` uses the rounded grey levels and textbook formulas; ``mefb`` reproduces MEFB's code:
min-max renormalisation to 0..255 (Liu's ``normalize1``) for the information metrics, the
transposed marginals of Liu's ``tsallis`` (TE), and for a colour fused image with grey sources the
red channel only (colour sources: per channel, averaged). MEFB's "Qw" is the Piella index of the
Prewitt edge maps (its ``sw = 3`` branch with alpha = 1), which ``standard`` calls the edge part
of ``Qe``.
"""

from __future__ import annotations

import numpy as np

from .base import (
    MetricInputError,
    MetricUndefinedError,
    as_f64,
    define_metric,
    grey,
    mefb_channels,
)
from .cache import cached, scoped
from .filters import gaussian_1d, sep_filter_valid
from .information import _levels
from .perceptual import normalize_255

_GAUSS_7 = gaussian_1d(7, 1.5)
_GAUSS_11 = gaussian_1d(11, 1.5)
PREWITT_X = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]])
PREWITT_Y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]])


# --- histograms ---------------------------------------------------------------------------------
def joint_prob(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(256, 256) joint probability, rows indexed by the levels of ``x``."""
    h = np.bincount((x.ravel() * 256 + y.ravel()), minlength=65536).astype(np.float64)
    return (h / h.sum()).reshape(256, 256)


def _h(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _mi_parts(x, y):
    """(I(x; y), H(x), H(y)) in bits."""
    p = joint_prob(x, y)
    hx, hy = _h(p.sum(1)), _h(p.sum(0))
    return hx + hy - _h(p.ravel()), hx, hy


def _liu_levels(x) -> np.ndarray:
    return normalize_255(x).astype(np.int64)


def _nmi(levels):
    def nmi(fused, sources, gt=None):
        f = levels(fused)
        total = 0.0
        for s in sources:
            i_sf, h_s, h_f = _mi_parts(levels(s), f)
            # both images constant (zero entropies): each determines the other, 1 / 2 by
            # convention (scikit-learn's normalized_mutual_info_score gives 1 there too)
            total += i_sf / (h_s + h_f) if h_s + h_f > 0 else 0.5
        return 2 * total

    return nmi


NMI = define_metric(
    'NMI',
    True,
    {'standard': _nmi(_levels), 'mefb': mefb_channels(_nmi(_liu_levels))},
    description="Hossny's normalised mutual information 2 sum_S I(S;F) / (H(S) + H(F))",
)


def tsallis_mi(x, y, q: float = 1.85, transposed_marginals: bool = False) -> float:
    """Tsallis mutual information (1 - sum p_xy^q / (p_x p_y)^(q-1)) / (1 - q).
    ``transposed_marginals`` reproduces Liu's ``tsallis.m``, which pairs p(i, j) with
    p_y(i) p_x(j)."""
    p = joint_prob(x, y)
    px, py = p.sum(1), p.sum(0)
    buff = np.outer(py, px) if transposed_marginals else np.outer(px, py)
    ok = buff != 0
    result = (p[ok] ** q / buff[ok] ** (q - 1)).sum()
    return float((1 - result) / (1 - q))


def _te(levels, transposed):
    def te(fused, sources, gt=None):
        f = levels(fused)
        return sum(tsallis_mi(levels(s), f, transposed_marginals=transposed) for s in sources)

    return te


TE = define_metric(
    'TE',
    True,
    {'standard': _te(_levels, False), 'mefb': mefb_channels(_te(_liu_levels, True))},
    description="Cvejic's Tsallis-entropy mutual information (q = 1.85), summed over sources",
)


def _qncie(levels):
    def qncie(fused, sources, gt=None):
        imgs = [levels(s) for s in sources] + [levels(fused)]
        k = len(imgs)
        r = np.eye(k)
        for i in range(k):
            for j in range(i + 1, k):
                r[i, j] = r[j, i] = _mi_parts(imgs[i], imgs[j])[0] / 8.0  # NCC = MI / log2(256)
        lam = np.linalg.eigvalsh(r)
        lam = lam[lam > 0]
        hr = -(lam / k * np.log2(lam / k)).sum() / np.log2(256)
        return 1 - hr

    return qncie


Qncie = define_metric(
    'Qncie',
    True,
    {'standard': _qncie(_levels), 'mefb': mefb_channels(_qncie(_liu_levels))},
    description="Wang's nonlinear correlation information entropy of the sources and the fused "
    'image (any N)',
)


# --- SSIM maps ----------------------------------------------------------------------------------
def _local_moments(x: np.ndarray, win: np.ndarray):
    """(local mean, local mean of x^2), 'valid', once per array in a source_cache scope."""
    key = ('local-moments', len(win), float(win[0]))
    return cached(key, (x,), lambda: (sep_filter_valid(x, win), sep_filter_valid(x * x, win)))


def _f64(x) -> np.ndarray:
    """``as_f64(grey(x))``, the same array for the same input in a source_cache scope."""
    return cached('grey-f64', (x,), lambda: as_f64(grey(x)))


def ssim_maps(x, y, win=_GAUSS_11, c1=(0.01 * 255) ** 2, c2=(0.03 * 255) ** 2):
    """Wang's SSIM map ('valid') with the local variances and covariance:
    (ssim_map, sigma_x^2, sigma_y^2, sigma_xy). Each image's own moments are computed once per
    array in a source_cache scope."""
    x, y = as_f64(x), as_f64(y)
    (mx, xx), (my, yy) = _local_moments(x, win), _local_moments(y, win)
    xy = sep_filter_valid(x * y, win)
    mxy = mx * my
    vx, vy, cxy = xx - mx * mx, yy - my * my, xy - mxy
    with np.errstate(divide='ignore', invalid='ignore'):
        smap = (2 * mxy + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return smap, vx, vy, cxy


def _yang_maps(x, y):
    return ssim_maps(x, y, _GAUSS_7, 2e-16, 2e-16)


@scoped
def _qy(fused, sources, gt=None):
    a, b = (_f64(s) for s in _two(sources, 'Qy'))
    f = as_f64(grey(fused))
    s_ab, va, vb, _ = _yang_maps(a, b)
    s_af, s_bf = _yang_maps(a, f)[0], _yang_maps(b, f)[0]
    with np.errstate(divide='ignore', invalid='ignore'):
        lam = va / (va + vb)
    binary = s_ab >= 0.75
    q = (lam * s_af + (1 - lam) * s_bf) * binary + np.maximum(s_af, s_bf) * ~binary
    return _mean_defined(q, 'Qy')


@scoped
def _qc(fused, sources, gt=None):
    a, b = (_f64(s) for s in _two(sources, 'Qc'))
    f = as_f64(grey(fused))
    s_af, _, _, c_af = _yang_maps(a, f)
    s_bf, _, _, c_bf = _yang_maps(b, f)
    with np.errstate(divide='ignore', invalid='ignore'):
        w = c_af / (c_af + c_bf)
    sim = w * s_af + (1 - w) * s_bf
    sim = np.where(w < 0, 0, np.where(w > 1, 1, sim))
    return _mean_defined(sim, 'Qc')


def _mean_defined(q, name) -> float:
    """Mean over the windows where the map is defined (the MATLAB code drops NaN windows)."""
    q = q[~np.isnan(q)]
    if q.size == 0:
        raise MetricUndefinedError(
            f'{name} is undefined: its weights are 0 / 0 in every window (both sources flat '
            'everywhere, or no covariance with the fused image)'
        )
    return float(np.mean(q))


def _two(sources, name):
    if len(sources) != 2:
        raise MetricInputError(f'{name} is defined for exactly two sources, got {len(sources)}')
    return sources


Qy = define_metric(
    'Qy',
    True,
    {'standard': _qy, 'mefb': scoped(mefb_channels(_qy))},
    description="Yang's SSIM-based fusion metric (two sources)",
    min_size=7,
    size_note='one 7x7 window',
)
Qc = define_metric(
    'Qc',
    True,
    {'standard': _qc, 'mefb': scoped(mefb_channels(_qc))},
    description="Cvejic's covariance-weighted SSIM fusion metric (two sources)",
    min_size=7,
    size_note='one 7x7 window',
)


def piella(a, b, f, variant: str) -> float:
    """Piella-Heijmans fusion quality index on three grey images: ``'simple'`` (mean of the
    variance-weighted SSIM maps, Q_S) or ``'weighted'`` (weighted by the larger local variance,
    Q_W)."""
    (ma, aa), (mb, bb) = _local_moments(a, _GAUSS_11), _local_moments(b, _GAUSS_11)
    va, vb = aa - ma * ma, bb - mb * mb  # as ssim_maps(a, b) gives them
    tie = (va + vb) == 0
    va, vb = va + 0.5 * tie, vb + 0.5 * tie
    lam = va / (va + vb)
    q = lam * ssim_maps(f, a)[0] + (1 - lam) * ssim_maps(f, b)[0]
    if variant == 'simple':
        return float(q.mean())
    cw = np.maximum(va, vb)
    return float((cw / cw.sum() * q).sum())


def prewitt_magnitude(img) -> np.ndarray:
    from .filters import filter_same

    img = as_f64(img)
    gx, gy = filter_same(img, PREWITT_X), filter_same(img, PREWITT_Y)
    return np.sqrt(gx * gx + gy * gy)


def _prewitt(x) -> np.ndarray:
    return cached('prewitt', (x,), lambda: prewitt_magnitude(x))


def _piella_metric(variant, edges=False, product=False):
    @scoped
    def fn(fused, sources, gt=None):
        a, b = (_f64(s) for s in _two(sources, 'Piella metrics'))
        f = as_f64(grey(fused))
        if edges or product:
            edge = piella(*(_prewitt(x) for x in (a, b, f)), variant)
            return edge * piella(a, b, f, variant) if product else edge
        return piella(a, b, f, variant)

    return fn


Qs = define_metric(
    'Qs',
    True,
    {'standard': _piella_metric('simple')},
    description="Piella's fusion quality index Q_S (variance-weighted SSIM)",
    min_size=11,
    size_note='one 11x11 window',
)
Qw = define_metric(
    'Qw',
    True,
    {
        'standard': _piella_metric('weighted'),
        'mefb': scoped(mefb_channels(_piella_metric('weighted', edges=True))),
    },
    description="Piella's weighted fusion quality index Q_W (mefb: on Prewitt edge maps)",
    min_size=11,
    size_note='one 11x11 window',
)
Qe = define_metric(
    'Qe',
    True,
    {'standard': _piella_metric('weighted', product=True)},
    description="Piella's edge-dependent index Q_E = Q_W(images) Q_W(edges)",
    min_size=11,
    size_note='one 11x11 window',
)
