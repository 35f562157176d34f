"""Similarity of the fused image to the sources (MSE, RMSE, PSNR, CC, SCD, SSIM) and to a
ground truth (PSNR_ref, SSIM_ref, MAE_ref).

Ref: Wang et al., "Image quality assessment: from error visibility to structural similarity",
IEEE TIP 2004 (SSIM); Aslantas and Bendes, AEU 2015 (SCD); Jagalingam and Hegde, Aquatic
Procedia 2015 (PSNR / RMSE as VIFB computes them).
"""

from __future__ import annotations

import numpy as np

from .base import (
    as_f32,
    as_f64,
    define_metric,
    grey,
    mefb_channels,
    per_channel,
    two_sources,
)
from .cache import cached
from .filters import gaussian_1d, sep_filter_valid
from .parallel import parallel_map

_GAUSS_11 = gaussian_1d(11, 1.5)


# --- MSE / RMSE / PSNR -------------------------------------------------------------------------
def _mse_standard(fused, sources, gt):
    f = as_f64(fused)
    return np.mean([np.mean((f - as_f64(s)) ** 2) for s in sources])


def _mse_cddfuse(fused, sources, gt):
    f = as_f32(fused)
    total = np.float32(0)
    for s in sources:
        total = total + np.mean((as_f32(s) - f) ** 2)  # float32, as the evaluator
    return total / len(sources)  # numpy 1.x: float32 scalar / int gives float64


def _mse_tang(fused, sources, gt):
    # MSE_evaluation on im2double images: the MSE of [0, 1] images
    f = as_f64(grey(fused)) / 255.0
    return np.mean([np.mean((f - as_f64(grey(s)) / 255.0) ** 2) for s in sources])


def _vifb_mse(a, b):
    # VIFB's mse(): sqrt(sum((a - b)^2)) / (m n), not a mean square
    return np.sqrt(((as_f64(a) - as_f64(b)) ** 2).sum()) / a.size


MSE = define_metric(
    'MSE',
    False,
    {'standard': _mse_standard, 'cddfuse': _mse_cddfuse, 'tang': _mse_tang},
    description='mean squared error between the fused image and the sources, averaged over '
    'sources',
)

RMSE = define_metric(
    'RMSE',
    False,
    {
        'standard': lambda f, s, g: np.mean([np.sqrt(_mse_standard(f, [x], g)) for x in s]),
        'vifb': per_channel(lambda f, s, g: np.mean([_vifb_mse(np.asarray(x), f) for x in s])),
    },
    description='root mean squared error to the sources, averaged over sources',
)


def _psnr_cddfuse(fused, sources, gt):
    f = as_f32(fused)
    mse = _mse_cddfuse(f, sources, gt)
    if mse == 0:  # identical images: +inf, also for black ones (the evaluator's 0 / 0 is nan)
        return np.inf
    return 10 * np.log10(np.max(f) ** 2 / mse)


def _psnr_vifb(fused, sources, gt):
    mse = np.mean([_vifb_mse(np.asarray(s), fused) for s in sources])
    return 20 * np.log10(255.0 / np.sqrt(mse))


PSNR = define_metric(
    'PSNR',
    True,
    {
        'standard': lambda f, s, g: 10 * np.log10(255.0**2 / _mse_standard(f, s, g)),
        'cddfuse': _psnr_cddfuse,
        'mefb': mefb_channels(_psnr_vifb),
        'vifb': per_channel(_psnr_vifb),
        'tang': lambda f, s, g: 20 * np.log10(255.0 / np.sqrt(_mse_tang(f, s, g))),
    },
    description='peak signal-to-noise ratio (dB) of the fused image against the mean source ' 'MSE',
)


# --- CC / SCD ----------------------------------------------------------------------------------
def _corr(a, b):
    """Pearson correlation; 0 by convention when either image is constant (0 / 0)."""
    a = a - np.mean(a)
    b = b - np.mean(b)
    den = np.sqrt(np.sum(a * a) * np.sum(b * b))
    if den == 0:
        return 0.0
    return np.sum(a * b) / den


def _cc(cast):
    def cc(fused, sources, gt):
        f = cast(grey(fused))
        return np.mean([_corr(cast(grey(s)), f) for s in sources])

    return cc


def _scd(cast):
    def scd(fused, sources, gt):
        a, b = (cast(grey(s)) for s in two_sources(sources, 'SCD'))
        f = cast(grey(fused))
        return _corr(a, f - b) + _corr(b, f - a)

    return scd


CC = define_metric(
    'CC',
    True,
    {'standard': _cc(as_f64), 'cddfuse': _cc(as_f32), 'tang': _cc(as_f64)},
    description='Pearson correlation of the fused image with each source, averaged',
)

SCD = define_metric(
    'SCD',
    True,
    {'standard': _scd(as_f64), 'cddfuse': _scd(as_f32), 'tang': _scd(as_f64)},
    description='sum of the correlations of differences corr(F - B, A) + corr(F - A, B)',
)


# --- SSIM --------------------------------------------------------------------------------------
def ssim_gaussian(x, y, data_range: float = 255.0, k1: float = 0.01, k2: float = 0.03) -> float:
    """Wang et al.'s SSIM: 11x11 Gaussian window (sigma 1.5), 'valid' borders, mean map."""
    x, y = as_f64(x), as_f64(y)
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    mx, my, xx, yy, xy = (sep_filter_valid(a, _GAUSS_11) for a in (x, y, x * x, y * y, x * y))
    vx, vy, cxy = xx - mx * mx, yy - my * my, xy - mx * my
    ssim_map = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(ssim_map.mean())


def ssim_skimage019(x, ys, data_range: float = 2.0, win: int = 7) -> list:
    """scikit-image 0.19 ``structural_similarity(x, y)`` defaults on float32 input, for each
    ``y`` in ``ys``: 7x7 uniform window (reflect borders), sample covariance, ``data_range`` 2
    (the float dtype range), float32 arithmetic, border of 3 cropped before the mean. SciPy's
    ``uniform_filter`` and the map's float32 expressions are compiled with the same operations
    in the same order (:mod:`.ssim_kernels`). The moments of ``x`` are filtered once for all
    ``ys``, those of each ``y`` once per array inside a :func:`~.cache.source_cache` scope."""
    from . import ssim_kernels as kernels  # numba: imported on first use

    x = as_f32(x)
    cov_norm = np.float32(win * win / (win * win - 1.0))
    c1, c2 = np.float32((0.01 * data_range) ** 2), np.float32((0.03 * data_range) ** 2)
    pad = (win - 1) // 2

    def uniform(a):  # scipy.ndimage.uniform_filter(a, size=win)
        out = np.empty_like(a)
        kernels.uniform_filter(np.ascontiguousarray(a), win, out)
        return out

    def side(y):  # (mean, mean^2, variance) of one image, scikit-image's expressions
        def compute():
            uy, uyy = uniform(y), uniform(y * y)
            uy2 = uy * uy
            vy = np.subtract(uyy, uy2, out=uyy)
            vy *= cov_norm
            return uy, uy2, vy

        return cached(('ssim-skimage019', win), (y,), compute)

    ys = [as_f32(y) for y in ys]
    jobs = [lambda: side(x)] + [lambda y=y: side(y) for y in ys]
    jobs += [lambda y=y: uniform(x * y) for y in ys]
    done = parallel_map(lambda job: job(), jobs)
    ux, ux2, vx = done[0]
    out = []
    for (uy, uy2, vy), uxy in zip(done[1 : 1 + len(ys)], done[1 + len(ys) :]):
        smap = np.empty_like(uxy)
        kernels.ssim_map(ux, ux2, vx, uy, uy2, vy, uxy, cov_norm, c1, c2, smap)
        out.append(float(smap[pad:-pad, pad:-pad].mean(dtype=np.float64)))
    return out


SSIM = define_metric(
    'SSIM',
    True,
    {
        'standard': lambda f, s, g: np.mean([ssim_gaussian(x, f) for x in s]),
        'cddfuse': lambda f, s, g: sum(ssim_skimage019(f, s)),
        'vifb': per_channel(lambda f, s, g: sum(ssim_gaussian(x, f) for x in s)),
    },
    description='structural similarity to the sources (mean over sources under standard, '
    'summed under cddfuse and vifb)',
    min_size={'*': 11, 'cddfuse': 7},
    size_note='one SSIM window (11x11 Gaussian; cddfuse 7x7 uniform)',
)


# --- full-reference ----------------------------------------------------------------------------
def _psnr_ref(fused, sources, gt):
    mse = np.mean((as_f64(fused) - as_f64(gt)) ** 2)
    return np.inf if mse == 0 else 10 * np.log10(255.0**2 / mse)


PSNR_ref = define_metric(
    'PSNR_ref',
    True,
    {'*': _psnr_ref},
    needs_gt=True,
    description='PSNR (dB, peak 255) of the fused image against the gt',
)
SSIM_ref = define_metric(
    'SSIM_ref',
    True,
    {'*': lambda f, s, g: ssim_gaussian(f, g)},
    needs_gt=True,
    description='Gaussian SSIM of the fused image to the gt',
    min_size=11,
    size_note='one 11x11 SSIM window',
)
MAE_ref = define_metric(
    'MAE_ref',
    False,
    {'*': lambda f, s, g: np.mean(np.abs(as_f64(f) - as_f64(g)))},
    needs_gt=True,
    description='mean absolute error (0..255) of the fused image to the gt',
)


# --- MS-SSIM -------------------------------------------------------------------------------------
MS_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def ssim_components(x, y, data_range: float = 255.0, k1: float = 0.01, k2: float = 0.03):
    """Means of the Gaussian SSIM map and of its contrast-structure part cs ('valid')."""
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    mx, my, xx, yy, xy = (sep_filter_valid(a, _GAUSS_11) for a in (x, y, x * x, y * y, x * y))
    vx, vy, cxy = xx - mx * mx, yy - my * my, xy - mx * my
    cs = (2 * cxy + c2) / (vx + vy + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return float(np.mean(lum * cs)), float(np.mean(cs))


def ms_ssim(x, y, weights=MS_WEIGHTS, data_range: float = 255.0) -> float:
    """Wang, Simoncelli and Bovik's multi-scale SSIM (Asilomar 2003; ``msssim.m``): 11x11
    Gaussian (sigma 1.5), K = (0.01, 0.03), 5 scales by a 2x2 mean ('symmetric') and every other
    pixel; prod_{j<M} cs_j^w_j * ssim_M^w_M with the standard weights."""
    from .mef import _downsample

    x, y = as_f64(x), as_f64(y)
    levels = len(weights)
    if min(x.shape) < 11 * 2 ** (levels - 1):
        raise ValueError(
            f'MS-SSIM with {levels} scales needs images of at least '
            f'{11 * 2 ** (levels - 1)} pixels a side, got {x.shape}'
        )
    cs = []
    for level in range(levels):
        if level:
            x, y = _downsample(x), _downsample(y)
        s, c = ssim_components(x, y, data_range)
        cs.append(c)
    # a negative component raised to a fractional weight has no real value (NaN in numpy,
    # complex in MATLAB's msssim.m): clamped to 0 as pytorch-msssim does (relu)
    cs = np.maximum(np.asarray(cs[:-1]), 0)
    return float(np.prod(cs ** weights[:-1]) * max(s, 0.0) ** weights[-1])


def _ms_ssim_tang(fused, sources, gt):
    # analysis_ms_ssim(imgSeq, image_f): Ma et al.'s 3-scale MEF-SSIM with (ir, vi) as the
    # exposure stack
    from .mef import mef_ssim

    return mef_ssim([grey(s) for s in sources], grey(fused))


MS_SSIM = define_metric(
    'MS_SSIM',
    True,
    {
        'standard': lambda f, s, g: np.mean([ms_ssim(x, f) for x in s]),
        'tang': _ms_ssim_tang,
    },
    description='multi-scale SSIM (5 scales) to each source, averaged (tang: MEF-SSIM of the '
    'sources as an exposure stack)',
    min_size={'standard': 176, 'tang': 44},
    size_note='an 11x11 window at the coarsest scale (standard 5 scales, tang 3)',
)
