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

The authors loop over windows and over the l x l joint cells. Here the windows of a chunk are
processed at once, and the joint entropy costs O(l) per window instead of O(l^2): off the
staircase of the Frechet bound's double differences (at most 2l - 1 cells) the joint PDF is
the scaled independent product, whose entropy has a closed form (:func:`_nfmi_pairs`; equal to
the l x l sum to ~1e-15, tested). Binary feature maps (edges) have few distinct window pairs,
so those are evaluated once each.
"""

from __future__ import annotations

import numpy as np

from .base import as_f64, define_metric, grey, mefb_channels
from .cache import cached, keyed_grey, scoped
from .filters import filter_same

_EPS100 = 100 * np.finfo(np.float64).eps
_CHUNK = 16384  # windows per vectorised chunk (about 2.4 MB per (2l, n) array)
SOBEL_MATLAB = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]) / 8


# --- features -----------------------------------------------------------------------------------
def matlab_edge_sobel(img) -> np.ndarray:
    """MATLAB ``edge(img)`` (Sobel, automatic threshold, thinning) as a boolean map.

    Gradients by ``imfilter(img, fspecial('sobel')/8, 'replicate')`` (and its transpose),
    b = bx^2 + by^2, cutoff = 4 mean(b); a pixel is an edge where b > cutoff and b is a local
    maximum across the dominant gradient direction (``computeEdgesWithThinning``)."""
    a = as_f64(img)
    bx = filter_same(a, SOBEL_MATLAB.T, mode='nearest')
    by = filter_same(a, SOBEL_MATLAB, mode='nearest')
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
    """(w*w, n) valid windows, one per column, rows in MATLAB's column-major ``sub(:)`` order."""
    h, wd = feat.shape[0] - w + 1, feat.shape[1] - w + 1
    return np.stack([feat[k % w : k % w + h, k // w : k // w + wd].ravel() for k in range(w * w)])


def _cumsum_rows(p: np.ndarray) -> np.ndarray:
    """np.cumsum(p, axis=0) (sequential, the same sums) for a short first axis."""
    out = np.empty_like(p)
    out[0] = p[0]
    for k in range(1, p.shape[0]):
        np.add(out[k - 1], p[k], out=out[k])
    return out


def _sum_rows(x: np.ndarray) -> np.ndarray:
    """``x.sum(0)`` in the order NumPy sums a contiguous row of ``len(x)`` elements (what the
    windows-as-rows code did): eight partial sums paired, then the rest. The order decides
    exact zeros: the centred PDF of a flat window is 0 only if its mean is exactly 1 / l."""
    n = len(x)
    if n < 8 or n > 128:
        return np.ascontiguousarray(x.T).sum(1)
    r = x[:8].copy()
    i = 8
    while i < n - n % 8:
        r += x[i : i + 8]
        i += 8
    out = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for k in range(i, n):
        out += x[k]
    return out


def _window_side(x: np.ndarray, source: bool = True) -> dict:
    """What one image's (l, n) windows (columns) contribute to every pair: the min-max
    normalised PDF p (uniform where a window is flat), its CDF as sort keys (see
    :func:`_staircase`), for a ``source`` also both reversed, the centred PDF and its squared
    norm, the mean and population SD of the index and the entropy (bits)."""
    x = np.asarray(x, dtype=np.float64)
    size = x.shape[0]
    lo, hi = x.min(0), x.max(0)
    flat = hi == lo
    p = x - lo
    p /= np.where(flat, 1, hi - lo)
    p[:, flat] = 1.0
    p /= _sum_rows(p)
    centred = p - _sum_rows(p) / size
    idx = np.arange(1, size + 1, dtype=np.float64)
    mean = idx @ p
    logp = np.log2(np.where(p > 0, p, 1))
    side = {
        'raw': x,
        'p': p,
        'key': _cdf_keys(p),
        'sum': _sum_rows(p),
        'mean': mean,
        'centred': centred,
        'norm2': _sum_rows(centred * centred),
        'sd': np.sqrt(np.maximum((idx * idx) @ p - mean**2, 0)),
        'h': -_sum_rows(p * logp),
    }
    if source:
        side['p_rev'] = np.ascontiguousarray(p[::-1])
        side['key_rev'] = _cdf_keys(p[::-1])
    return side


def _cdf_keys(p: np.ndarray) -> np.ndarray:
    """(n, l) int64 keys of the CDFs of the columns of p (l, n), ordered as the CDF values
    (non-negative doubles order as their bits), shifted left by one bit for a tag."""
    return np.ascontiguousarray(_cumsum_rows(p).T).view(np.int64) << 1


def _staircase(fkey: np.ndarray, bkey: np.ndarray):
    """The cells of the comonotone coupling of two CDFs F, B (rows of keys from
    :func:`_cdf_keys`, shape (n, l)): the double differences of min(F_i, B_j) vanish except on
    a monotone path of at most 2l - 1 cells, one per anti-diagonal, whose masses are the gaps
    between the merged sorted CDF values. Returns 0-based (i, j, mass), each (2l - 1, n);
    cells past the l x l grid get mass 0."""
    n, size = fkey.shape
    merged = np.empty((n, 2 * size), dtype=np.int64)
    merged[:, :size] = fkey
    np.bitwise_or(bkey, 1, out=merged[:, size:])  # tag 1: a B breakpoint
    merged.sort(axis=1)
    merged = np.ascontiguousarray(merged[:, : 2 * size - 1].T)  # (2l - 1, n)
    t = (merged >> 1).view(np.float64)  # sorted breakpoints
    mass = np.empty_like(t)
    mass[0] = t[0]
    np.subtract(t[1:], t[:-1], out=mass[1:])
    j = np.zeros(t.shape, dtype=np.intp)  # B breakpoints passed
    tag = np.empty(t.shape[1], dtype=np.intp)
    for m in range(1, 2 * size - 1):
        np.add(j[m - 1], np.bitwise_and(merged[m - 1], 1, out=tag), out=j[m])
    i = np.arange(2 * size - 1)[:, None] - j
    np.copyto(mass, 0.0, where=(i >= size) | (j >= size))
    np.minimum(i, size - 1, out=i)
    np.minimum(j, size - 1, out=j)
    return i, j, mass


def _log2_abs(p: np.ndarray) -> np.ndarray:
    """log2|p|, finite at 0 (p log2|p| is MATLAB's real(p log2(p)), 0 at 0)."""
    out = np.abs(p)
    np.maximum(out, np.finfo(np.float64).tiny, out=out)
    return np.log2(out, out=out)


def _nfmi_pairs(sa: dict, sf: dict) -> np.ndarray:
    """Normalised feature MI of each window pair (source side ``sa``, fused side ``sf``).

    The joint PDF is coef * D + (1 - coef) fp (x) ap, D the double differences of the Frechet
    bound (upper min(F_i, A_j) where the PDFs' correlation c >= 0, lower
    max(F_i + A_j - 1, 0) where c < 0: the upper bound with A's PDF reversed). Off D's
    staircase the joint is the scaled product, whose entropy has a closed form, so the joint
    entropy costs O(l) per window: the product's entropy plus a correction on the staircase.
    """
    size, n = sa['p'].shape
    fp = sf['p']
    s = _sum_rows(sa['centred'] * sf['centred'])
    with np.errstate(invalid='ignore', divide='ignore'):
        c = np.where(s == 0, 0.0, s / np.sqrt(sa['norm2'] * sf['norm2']))
    upper = c >= 0
    i, j, mass = _staircase(sf['key'], np.where(upper[:, None], sa['key'], sa['key_rev']))
    ap = np.where(upper, sa['p'], sa['p_rev'])  # the source PDF in the staircase's row order
    # covariance of the indices under the bound: E[IJ] - E[I] E[J] (Hoeffding: the sum over
    # the grid of bound - F_i A_j); a reversed row j has index l - j
    w_i = mass * (i + 1)
    e_i = w_i.sum(0)
    w_i *= j + 1
    e_ij = w_i.sum(0)
    e_ij = np.where(upper, e_ij, (size + 1) * e_i - e_ij)
    cov = e_ij - sf['mean'] * sa['mean']
    with np.errstate(invalid='ignore', divide='ignore'):
        ratio = c / (cov / (sf['sd'] * sa['sd']))
    degenerate = (sa['sd'] == 0) | (sf['sd'] == 0) | (upper & (c == 0))
    coef = np.where(degenerate, 0.0, ratio)
    k = 1 - coef
    # the product (1 - coef) fp_i ap_j over all cells: -k (Sf Sa log2|k| - Sa Hf - Sf Ha)
    sum_a, sum_f = sa['sum'], sf['sum']
    ha, hf = sa['h'], sf['h']
    log_k = np.log2(np.where(k != 0, np.abs(k), 1))
    joint = -k * (sum_f * sum_a * log_k - sum_a * hf - sum_f * ha)
    col = np.arange(n)
    prod = np.take(fp, i * n + col)
    prod *= k
    prod *= np.take(ap, j * n + col)
    mass *= coef
    mass += prod  # the joint PDF on the staircase
    joint += (prod * _log2_abs(prod)).sum(0)
    joint -= (mass * _log2_abs(mass)).sum(0)
    mi = ha + hf - joint
    with np.errstate(invalid='ignore', divide='ignore'):
        out = np.where((mi == 0) | (ha + hf == 0), 0.0, 2 * mi / (ha + hf))
    equal = sa['raw'][0] == sf['raw'][0]  # the window equals the fused one
    for k in range(1, size):
        equal &= sa['raw'][k] == sf['raw'][k]
    return np.where(equal, 1.0, out)


def _window_keys(feat: np.ndarray, w: int) -> np.ndarray:
    """Each valid w x w window of a binary map as an integer, bit k for the k-th element in
    MATLAB's column-major order; flattened (n,)."""
    h, wd = feat.shape[0] - w + 1, feat.shape[1] - w + 1
    dtype = np.uint16 if w * w <= 16 else np.int64
    bits = np.ascontiguousarray(feat, dtype=bool).view(np.uint8)
    key = np.zeros((h, wd), dtype=dtype)
    for k in range(w * w):
        dy, dx = k % w, k // w
        key |= np.left_shift(bits[dy : dy + h, dx : dx + wd], k, dtype=dtype)
    return key.ravel().astype(np.int64)


def _binary_nfmi(akey: np.ndarray, fkey: np.ndarray, size: int) -> np.ndarray:
    """Per-window values for binary windows given as keys: each distinct window pair is
    evaluated once."""
    key = (akey << size) | fkey
    if 2 * size <= 24:
        uniq = np.flatnonzero(np.bincount(key, minlength=1 << (2 * size)))
    else:
        uniq, key = np.unique(key, return_inverse=True)
    bits = np.arange(size)
    a = ((uniq[:, None] >> size) >> bits) & 1
    f = (uniq[:, None] >> bits) & 1
    vals = _nfmi_pairs(_window_side(a.T.astype(np.float64)), _window_side(f.T.astype(np.float64)))
    if 2 * size > 24:
        return vals[key.ravel()]
    table = np.zeros(1 << (2 * size))
    table[uniq] = vals
    return table[key]


def fmi(fused, sources, feature: str = 'edge', w: int = 3) -> float:
    """Haghighat's FMI of the fused image against N sources: the mean over the valid w x w
    windows and over the sources of the window's normalised feature MI (1 where a source's
    feature block equals the fused one). A source's features are computed once per array
    inside a :func:`~.cache.source_cache` scope."""
    if w < 1 or w % 2 == 0:
        raise ValueError(f'FMI window must be odd and positive, got {w}')
    half = w // 2
    ff = fmi_features(fused, feature)
    if min(ff.shape) <= 2 * half:
        raise ValueError(f'FMI needs images larger than the {w}x{w} window, got {ff.shape}')
    feats = [
        cached(('fmi-features', feature), (s,), lambda s=s: fmi_features(s, feature))
        for s in sources
    ]
    if ff.dtype == bool and all(x.dtype == bool for x in feats) and 2 * w * w <= 62:
        fkey = _window_keys(ff, w)
        keys = [cached(('fmi-keys', w), (x,), lambda x=x: _window_keys(x, w)) for x in feats]
        return float(np.mean([_binary_nfmi(k, fkey, w * w).mean() for k in keys]))
    rows, cols = ff.shape[0] - w + 1, ff.shape[1] - w + 1
    band = max(1, _CHUNK // cols)  # window rows per chunk
    totals = np.zeros(len(feats))
    for r in range(0, rows, band):  # the windows of a band of rows, built where they are used
        sub = slice(r, min(r + band, rows) + w - 1)
        side_f = _window_side(_windows(ff[sub], w), source=False)
        for k, x in enumerate(feats):
            totals[k] += _nfmi_pairs(_window_side(_windows(x[sub], w)), side_f).sum()
    return float(np.mean(totals / (rows * cols)))


def _fmi(feature):
    def fn(fused, sources, gt=None):
        return fmi(grey(fused), [keyed_grey(s) for s in sources], feature)

    return fn


def _fmi_tang(feature):
    # analysis_fmi(im2double(ir), im2double(vi), im2double(f), feature): [0, 1] images
    def fn(fused, sources, gt=None):
        return fmi(as_f64(grey(fused)) / 255, [as_f64(grey(s)) / 255 for s in sources], feature)

    return fn


FMI = define_metric(
    'FMI',
    True,
    {'standard': _fmi('edge'), 'mefb': scoped(mefb_channels(_fmi('edge')))},
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
