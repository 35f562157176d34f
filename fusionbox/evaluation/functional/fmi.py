"""Feature mutual information (FMI) of Haghighat et al., with pixel, edge, DCT and wavelet
features.

Ref: M. B. A. Haghighat, A. Aghagolzadeh and H. Seyedarabi, "A non-reference image fusion metric
based on mutual information of image features", Computers and Electrical Engineering 37(5),
2011; M. Haghighat and M. A. Razian, "Fast-FMI: non-reference image fusion metric", AICT 2014.
The authors' ``fmi.m`` (as MEFB's ``metricsFMI.m`` and Tang's ``analysis_fmi.m`` ship it): in
every w x w window (default 3 x 3, 'valid') the min-max normalised feature blocks of a source
and of the fused image are turned into PDFs (column-major order), the joint PDF is built with
Nelsen's simplified method between the independence copula and the Frechet upper (c >= 0) or
lower (c < 0) bound, and the window's normalised MI 2 I / (H_s + H_f) is averaged over windows
and sources. Windows where the source block equals the fused block count 1.

The authors loop over windows and over the l x l joint cells; here all windows of a chunk are
processed at once as (n, l, l) arrays, in the same per-cell expressions. Binary feature maps
(edges) have few distinct window pairs, so those are evaluated once each.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from .base import as_f64, define_metric, grey, mefb_channels

_EPS100 = 100 * np.finfo(np.float64).eps
_CHUNK = 16384  # windows per vectorised chunk (about 10 MB per (n, 9, 9) array)
SOBEL_MATLAB = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]) / 8


# --- features -----------------------------------------------------------------------------------
def matlab_edge_sobel(img) -> np.ndarray:
    """MATLAB ``edge(img)`` (Sobel, automatic threshold, thinning) as a boolean map.

    Gradients by ``imfilter(img, fspecial('sobel')/8, 'replicate')`` (and its transpose),
    b = bx^2 + by^2, cutoff = 4 mean(b); a pixel is an edge where b > cutoff and b is a local
    maximum across the dominant gradient direction (``computeEdgesWithThinning``)."""
    a = as_f64(img)
    bx = ndimage.correlate(a, SOBEL_MATLAB.T, mode='nearest')
    by = ndimage.correlate(a, SOBEL_MATLAB, mode='nearest')
    b = bx * bx + by * by
    cutoff = 4 * b.sum() / b.size
    bx, by = np.abs(bx), np.abs(by)
    b1 = np.ones_like(b, dtype=bool)
    b2, b3, b4 = b1.copy(), b1.copy(), b1.copy()
    b1[:, 1:] = b[:, :-1] <= b[:, 1:]
    b2[:, :-1] = b[:, :-1] > b[:, 1:]
    b3[1:, :] = b[:-1, :] <= b[1:, :]
    b4[:-1, :] = b[:-1, :] > b[1:, :]
    return (b > cutoff) & (((bx >= by - _EPS100) & b1 & b2) | ((by >= bx - _EPS100) & b3 & b4))


def _rerange(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(), x.max()
    return np.ones_like(x) if hi == lo else (x - lo) / (hi - lo)


def _dwt_dmey(img: np.ndarray) -> np.ndarray:
    try:
        import pywt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('FMI with wavelet features needs PyWavelets (import pywt)') from e
    ca, (ch, cv, cd) = pywt.dwt2(img, 'dmey', mode='symmetric')
    return _rerange(np.block([[ca, ch], [cv, cd]]))


def fmi_features(img, feature: str) -> np.ndarray:
    """The feature image FMI compares: ``'none'`` (pixels), ``'edge'`` (MATLAB ``edge``),
    ``'dct'`` (orthonormal 2-D DCT, MATLAB ``dct2``), ``'wavelet'`` (one-level discrete Meyer
    DWT, [cA cH; cV cD] rescaled to [0, 1]) or ``'gradient'`` (MATLAB ``gradient``'s x part)."""
    x = as_f64(img)
    if feature == 'none':
        return x
    if feature == 'edge':
        return matlab_edge_sobel(x)
    if feature == 'dct':
        from scipy.fft import dctn

        return dctn(x, type=2, norm='ortho')
    if feature == 'wavelet':
        return _dwt_dmey(x)
    if feature == 'gradient':
        return np.gradient(x, axis=1)
    raise ValueError(
        f"unknown FMI feature {feature!r}; expected 'none', 'edge', 'dct', "
        "'wavelet' or 'gradient'"
    )


# --- per-window normalised MI -------------------------------------------------------------------
def _windows(feat: np.ndarray, w: int) -> np.ndarray:
    """(n, w*w) valid windows in MATLAB's column-major ``sub(:)`` order."""
    v = sliding_window_view(feat, (w, w))
    return v.transpose(0, 1, 3, 2).reshape(-1, w * w)


def _minmax_rows(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(1, keepdims=True), x.max(1, keepdims=True)
    flat = hi == lo
    with np.errstate(invalid='ignore', divide='ignore'):
        out = (x - lo) / np.where(flat, 1, hi - lo)
    return np.where(flat, 1.0, out)


def _entropy_rows(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(p != 0, -p * np.log2(np.where(p != 0, p, 1)), 0).sum(1)


def _nfmi_rows(a: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Normalised feature MI of each window pair (rows of a and f, shape (n, l))."""
    n, size = a.shape
    out = np.ones(n)
    diff = ~np.all(a == f, axis=1)
    if not diff.any():
        return out
    a, f = _minmax_rows(a[diff]), _minmax_rows(f[diff])
    ap = a / a.sum(1, keepdims=True)
    fp = f / f.sum(1, keepdims=True)
    ac, fc = np.cumsum(ap, 1), np.cumsum(fp, 1)
    at, ft = ap - ap.mean(1, keepdims=True), fp - fp.mean(1, keepdims=True)
    s = (at * ft).sum(1)
    with np.errstate(invalid='ignore', divide='ignore'):
        c = np.where(s == 0, 0.0, s / np.sqrt((at * at).sum(1) * (ft * ft).sum(1)))
    idx = np.arange(1, size + 1, dtype=np.float64)
    a_sd = np.sqrt(np.maximum((idx * idx * ap).sum(1) - (idx * ap).sum(1) ** 2, 0))
    f_sd = np.sqrt(np.maximum((idx * idx * fp).sum(1) - (idx * fp).sum(1) ** 2, 0))
    # Frechet bound per cell (i: fused index, j: source index), zero-padded in front so that the
    # 2-D differences below give MATLAB's boundary cells: upper min(F_i, A_j) where c >= 0
    # (0.5 (x + y - |x - y|) in the authors' code), lower max(F_i + A_j - 1, 0) where c < 0
    upper = c >= 0
    bound = np.zeros((len(c), size + 1, size + 1))
    inner = bound[:, 1:, 1:]
    np.add(fc[:, :, None], ac[:, None, :], out=inner)
    if upper.any():
        inner[upper] = np.minimum(fc[upper][:, :, None], ac[upper][:, None, :])
    if not upper.all():
        low = ~upper
        inner[low] = np.maximum(inner[low] - 1, 0)
    cov = inner.sum((1, 2)) - fc.sum(1) * ac.sum(1)  # sum_ij bound - F_i A_j
    with np.errstate(invalid='ignore', divide='ignore'):
        ratio = c / (cov / (f_sd * a_sd))
    degenerate = (a_sd == 0) | (f_sd == 0) | (upper & (c == 0))
    coef = np.where(degenerate, 0.0, ratio)
    jpdf = np.diff(np.diff(bound, axis=1), axis=2)
    del bound, inner
    jpdf *= coef[:, None, None]
    jpdf += (fp * (1 - coef)[:, None])[:, :, None] * ap[:, None, :]
    # MATLAB keeps real(-p log2(p)): for a (rounding-)negative p that is -p log2|p|
    logs = np.abs(jpdf)
    np.log2(logs, out=logs, where=logs > 0)
    joint = -np.einsum('nij,nij->n', jpdf, logs)
    ha, hf = _entropy_rows(ap), _entropy_rows(fp)
    mi = ha + hf - joint
    with np.errstate(invalid='ignore', divide='ignore'):
        out[diff] = np.where(mi == 0, 0.0, 2 * mi / (ha + hf))
    return out


def _nfmi_windows(a: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Per-window values, in chunks; binary windows are deduplicated."""
    size = a.shape[1]
    if a.dtype == bool and f.dtype == bool and 2 * size <= 62:
        weights = 1 << np.arange(size, dtype=np.int64)
        key = ((a @ weights) << size) | (f @ weights)
        uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        vals = _nfmi_windows(a[first].astype(np.float64), f[first].astype(np.float64))
        return vals[inverse.ravel()]
    out = np.empty(a.shape[0])
    for start in range(0, a.shape[0], _CHUNK):
        sl = slice(start, start + _CHUNK)
        out[sl] = _nfmi_rows(a[sl].astype(np.float64), f[sl].astype(np.float64))
    return out


def fmi(fused, sources, feature: str = 'edge', w: int = 3) -> float:
    """Haghighat's FMI of the fused image against N sources: the mean over the valid w x w
    windows and over the sources of the window's normalised feature MI (1 where a source's
    feature block equals the fused one)."""
    if w < 1 or w % 2 == 0:
        raise ValueError(f'FMI window must be odd and positive, got {w}')
    half = w // 2
    ff = fmi_features(fused, feature)
    if min(ff.shape) <= 2 * half:
        raise ValueError(f'FMI needs images larger than the {w}x{w} window, got {ff.shape}')
    fw = _windows(ff, w)
    vals = [_nfmi_windows(_windows(fmi_features(s, feature), w), fw).mean() for s in sources]
    return float(np.mean(vals))


def _fmi(feature):
    def fn(fused, sources, gt=None):
        return fmi(grey(fused), [grey(s) for s in sources], feature)

    return fn


def _fmi_tang(feature):
    # analysis_fmi(im2double(ir), im2double(vi), im2double(f), feature): [0, 1] images
    def fn(fused, sources, gt=None):
        return fmi(as_f64(grey(fused)) / 255, [as_f64(grey(s)) / 255 for s in sources], feature)

    return fn


FMI = define_metric(
    'FMI',
    True,
    {'standard': _fmi('edge'), 'mefb': mefb_channels(_fmi('edge'))},
    description="Haghighat's feature mutual information, edge features, 3x3 windows (any N)",
    min_size=3,
    size_note='one 3x3 window',
)
FMI_pixel = define_metric(
    'FMI_pixel',
    True,
    {'standard': _fmi('none'), 'tang': _fmi_tang('edge')},
    description="Haghighat's FMI on raw pixels (tang: its 'FMI_pixel' is the default edge "
    'feature)',
    min_size=3,
    size_note='one 3x3 window',
)
FMI_dct = define_metric(
    'FMI_dct',
    True,
    {'standard': _fmi('dct'), 'tang': _fmi_tang('dct')},
    description="Haghighat's FMI on the orthonormal 2-D DCT coefficients",
    min_size=3,
    size_note='one 3x3 window',
)
FMI_w = define_metric(
    'FMI_w',
    True,
    {'standard': _fmi('wavelet'), 'tang': _fmi_tang('wavelet')},
    description="Haghighat's FMI on one-level discrete Meyer wavelet coefficients",
    min_size=3,
    size_note='one 3x3 window',
)
