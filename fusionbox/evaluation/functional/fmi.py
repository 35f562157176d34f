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

The authors loop over windows and over the l x l joint cells. Here the joint entropy costs O(l)
per window instead of O(l^2): off the staircase of the Frechet bound's double differences (at
most 2l - 1 cells) the joint PDF is the scaled independent product, whose entropy has a closed
form (:func:`nfmi_pairs`; equal to the l x l sum to ~1e-15, tested). The per-window loops are
compiled with numba (:mod:`.fmi_kernels`, imported on first use; the first FMI on a machine
compiles them, some seconds, then they are cached) over blocks of a few thousand windows, the
logarithms vectorised by NumPy between them; the three images' features and the blocks run in
the metric threads of :func:`~.parallel.parallel_map` (the compiled loops release the GIL), the
blocks' sums added in block order, so the value does not depend on the number of threads.
Binary feature maps (edges) have few distinct window pairs, so those are evaluated once each.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .base import as_f64, define_metric, grey, mefb_channels
from .cache import cached, keyed_grey, scoped
from .filters import filter_same
from .parallel import parallel_map

_EPS100 = 100 * np.finfo(np.float64).eps
_BLOCK = 1280  # windows per block of the compiled loops (their arrays stay in cache)
_CHUNK = 16  # blocks per task of the thread pool
_TINY = np.finfo(np.float64).tiny
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
@cache
def _kernels():
    from . import fmi_kernels  # numba: imported on first use

    return fmi_kernels


def _log2_where_positive(p: np.ndarray) -> np.ndarray:
    """log2 p where p > 0, vectorised by NumPy; finite (-1022) where p = 0."""
    out = np.maximum(p, _TINY)
    return np.log2(out, out=out)


def window_side(raw: np.ndarray, reverse: bool = True) -> tuple:
    """What windows given as columns ``raw`` (l, n) contribute to every pair (see
    :func:`.fmi_kernels.window_sides`): (raw, PDF, its log2, statistics, CDF, reversed CDF)."""
    raw = np.ascontiguousarray(raw, dtype=np.float64)
    return _with_entropy(raw, *_kernels().window_sides(raw, reverse))


def _image_side(img: np.ndarray, r0: int, nr: int, w: int, reverse: bool = True) -> tuple:
    """:func:`window_side` of the w x w windows whose top rows are r0 .. r0 + nr - 1."""
    return _with_entropy(*_kernels().image_sides(img, r0, nr, w, reverse))


def _with_entropy(raw, p, stats, cdf, cdf_rev) -> tuple:
    log_p = _log2_where_positive(p)
    _kernels().add_entropy(p, log_p, stats)
    return raw, p, log_p, stats, cdf, cdf_rev


def nfmi_pairs(side_a: tuple, side_f: tuple) -> np.ndarray:
    """Normalised feature MI of each window pair (source side ``side_a``, fused side ``side_f``
    from :func:`window_side`), (n,): the joint PDF is built on the Frechet bound's staircase
    (O(l) per window, :func:`.fmi_kernels.pair_masses`) and its entropy finished here."""
    kernels = _kernels()
    joint, log_joint, partial, equal = kernels.pair_masses(*side_a, *side_f[:5])
    np.log2(log_joint, out=log_joint)
    h = kernels.ENTROPY
    return kernels.finish(joint, log_joint, partial, side_a[3][h], side_f[3][h], equal)


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
    vals = nfmi_pairs(window_side(a.T), window_side(f.T, reverse=False))
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

    def features(k):  # the fused image's (k = 0), then each source's, once per array
        if k == 0:
            return fmi_features(fused, feature)
        s = sources[k - 1]
        return cached(('fmi-features', feature), (s,), lambda: fmi_features(s, feature))

    ff, *feats = parallel_map(features, range(len(sources) + 1))
    if min(ff.shape) <= 2 * half:
        raise ValueError(f'FMI needs images larger than the {w}x{w} window, got {ff.shape}')
    if ff.dtype == bool and all(x.dtype == bool for x in feats) and 2 * w * w <= 62:
        fkey = _window_keys(ff, w)
        keys = [cached(('fmi-keys', w), (x,), lambda x=x: _window_keys(x, w)) for x in feats]
        return float(np.mean([_binary_nfmi(k, fkey, w * w).mean() for k in keys]))
    ff = np.ascontiguousarray(ff, dtype=np.float64)
    feats = [np.ascontiguousarray(x, dtype=np.float64) for x in feats]
    rows, cols = ff.shape[0] - w + 1, ff.shape[1] - w + 1
    band = max(1, round(_BLOCK / cols))  # window rows per block
    starts = list(range(0, rows, band))

    def band_sums(chunk) -> list:  # per band of rows, the sum over its windows per source
        out = []
        for r in chunk:  # the windows of a band, built where they are used
            nr = min(band, rows - r)
            side_f = _image_side(ff, r, nr, w, reverse=False)
            out.append([nfmi_pairs(_image_side(x, r, nr, w), side_f).sum() for x in feats])
        return out

    chunks = [starts[k : k + _CHUNK] for k in range(0, len(starts), _CHUNK)]
    totals = np.zeros(len(feats))
    for sums in (s for part in parallel_map(band_sums, chunks) for s in part):
        totals += sums  # band by band in order: the serial sums, for any number of threads
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
