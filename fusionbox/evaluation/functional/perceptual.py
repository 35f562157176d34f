"""Human-perception metrics from Liu et al.'s toolbox: Qcb (Chen-Blum) and Qcv (Chen-Varshney).

Ref: Y. Chen and R. S. Blum, "A new automated quality assessment algorithm for image fusion",
Image and Vision Computing 27, 2009 (Qcb); H. Chen and P. K. Varshney, "A human perception
inspired quality metric for image fusion based on regional information", Information Fusion 8,
2007 (Qcv); Z. Liu et al., IEEE TPAMI 34(1), 2012 and zhengliu6699/imageFusionMetrics
(``metricChenBlum.m``, ``metricChen.m``), as VIFB calls them. Both filter in the frequency domain
with MATLAB's centred ``freqspace`` grid; the responses are even about the centre, so MATLAB's
complex results are real up to rounding (~1e-16) and real FFTs are used
(:func:`~.filters.fft_filter_even`).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .base import as_f64, define_metric, mefb_channels, per_channel, two_sources
from .cache import cached, scoped
from .filters import (
    SOBEL_X,
    SOBEL_Y,
    block_reduce_sum,
    even_half_response,
    fft_filter_even,
    filter_same,
    freqspace_radius,
)
from .parallel import parallel_map


def normalize_255(x) -> np.ndarray:
    """Liu's ``normalize1``: min-max to 0..255 and rounded with MATLAB's ``round`` (halves away
    from zero; all-zero images are kept). A constant image, for which Liu's code divides 0 by 0
    (NaN), maps to 0 like the all-zero one.

    The rounding matters: for an 8-bit input whose range ``hi - lo`` is even, ``255 * (x - lo) /
    (hi - lo)`` is exactly ``k + 0.5`` for many pixels (every other level when the range is
    170 = 255 / 1.5), and NumPy's ``round`` (halves to even) would move half of them one level
    down. Against VIFB's published values that alone was a relative error of up to 1.1e-3 (Qcb,
    ``nightCar``) and 5.1e-4 (Qcv, ``carWhite``, infrared range 7..177) on 6 of the 21 pairs.
    """
    x = as_f64(x)
    hi, lo = x.max(), x.min()
    if hi == lo:
        return np.zeros_like(x)
    y = (x - lo) / (hi - lo) * 255  # >= 0, so MATLAB's round is floor(y + 0.5)
    y += 0.5
    return np.floor(y, out=y)


# --- Qcb ---------------------------------------------------------------------------------------
def _gauss_filter_same(img: np.ndarray, sigma: float) -> np.ndarray:
    """``filter2(G, img, 'same')`` with Liu's unnormalised 31x31 Gaussian, separably (OpenCV,
    zero borders)."""
    x = np.arange(-15, 16, dtype=np.float64)
    g = np.exp(-x * x / (2 * sigma * sigma))
    gy = g / (2 * np.pi * sigma * sigma)
    img = np.ascontiguousarray(img, dtype=np.float64)
    return cv2.sepFilter2D(img, cv2.CV_64F, g, gy, borderType=cv2.BORDER_CONSTANT)


def _local_contrast(img: np.ndarray, p: float = 3, q: float = 2, z: float = 1e-4) -> np.ndarray:
    num, den = _gauss_filter_same(img, 2), _gauss_filter_same(img, 4)
    flat = (num == 0) & (den == 0)  # a flat (all-zero after CSF filtering) image: no contrast
    with np.errstate(divide='ignore', invalid='ignore'):
        c = np.divide(num, den, out=num)
    c -= 1
    np.abs(c, out=c)
    np.copyto(c, 0.0, where=flat)
    if (p, q) != (3, 2):
        return c**p / (c**q + z)
    c2 = c * c
    c *= c2  # c^3, as c * c * c
    c2 += z
    c /= c2
    return c


@lru_cache(maxsize=8)
def _qcb_csf(shape) -> np.ndarray:
    """Half spectrum of Qcb's CSF (:func:`~.filters.even_half_response`) for an image size."""
    h, w = shape
    r = freqspace_radius((h, w), h / 30, w / 30)
    csf = np.exp(-((r / 15.3870) ** 2)) - 0.7622 * np.exp(-((r / 1.3456) ** 2))
    return even_half_response(csf)


@lru_cache(maxsize=8)
def _qcv_csf(shape) -> np.ndarray:
    """Half spectrum of Qcv's Mannos-Sakrison CSF for an image size."""
    h, w = shape
    r = freqspace_radius((h, w), h / 8, w / 8)
    return even_half_response(2.6 * (0.0192 + 0.144 * r) * np.exp(-((0.144 * r) ** 1.1)))


def _qcb_contrast(x: np.ndarray) -> np.ndarray:
    """One image's CSF-filtered local contrast, once per array in a source_cache scope (the
    infrared image repeated for each colour channel by ``vifb`` is computed once)."""
    return cached(
        'qcb-contrast',
        (x,),
        lambda: _local_contrast(
            fft_filter_even(normalize_255(x), None, _qcb_csf(tuple(np.shape(x))))
        ),
    )


def qcb(fused, a, b) -> float:
    """Chen-Blum metric on three grey images (renormalised to 0..255 first)."""
    c1, c2, cf = parallel_map(_qcb_contrast, [a, b, fused])
    with np.errstate(divide='ignore', invalid='ignore'):
        # the smaller contrast over the larger (Liu's where(c1 < cf, c1 / cf, cf / c1))
        q1f = np.minimum(c1, cf)
        q1f /= np.maximum(c1, cf)
        q2f = np.minimum(c2, cf)
        q2f /= np.maximum(c2, cf)
        s1, s2 = c1 * c1, c2 * c2
        total = s1 + s2
        s1 /= total  # lambda_1
        s2 /= total  # lambda_2
    # conventions where Liu's code divides 0 by 0: equal contrasts (both 0) are preserved (1),
    # and two flat sources weigh equally (1 / 2)
    cf0 = cf == 0
    np.copyto(q1f, 1.0, where=(c1 == 0) & cf0)
    np.copyto(q2f, 1.0, where=(c2 == 0) & cf0)
    flat = (c1 == 0) & (c2 == 0)
    np.copyto(s1, 0.5, where=flat)
    np.copyto(s2, 0.5, where=flat)
    s1 *= q1f
    s2 *= q2f
    s1 += s2
    return float(np.mean(s1))


# --- Qcv ---------------------------------------------------------------------------------------
def qcv(fused, a, b, window: int = 16, alpha: float = 5) -> float:
    """Chen-Varshney metric (lower is better): CSF-filtered squared differences per 16x16
    region, weighted by the regional edge saliency sum(G^alpha)."""
    a, b, f = (normalize_255(x) for x in (a, b, fused))
    h, w = a.shape
    lam = []
    for x in (a, b):
        gx, gy = filter_same(x, SOBEL_X), filter_same(x, -SOBEL_Y)
        lam.append(block_reduce_sum(np.sqrt(gx * gx + gy * gy) ** alpha, window))
    csf = _qcv_csf((h, w))  # Mannos-Sakrison
    d = []
    for x in (a, b):
        df = fft_filter_even(x - f, None, csf)  # MATLAB's complex result: ~1e-16 imaginary
        d.append(block_reduce_sum(df * df, window) / window**2)
    weight = (lam[0] + lam[1]).sum()
    if weight == 0:  # both sources flat: no saliency anywhere, every region weighs equally
        lam = [np.ones_like(lam[0]), np.ones_like(lam[1])]
        weight = (lam[0] + lam[1]).sum()
    q = (lam[0] * d[0] + lam[1] * d[1]).sum() / weight
    return float(q)


Qcb = define_metric(
    'Qcb',
    True,
    {
        'standard': lambda f, s, g: qcb(f, *two_sources(s, 'Qcb')),
        'vifb': scoped(per_channel(lambda f, s, g: qcb(f, *two_sources(s, 'Qcb')))),
        'mefb': scoped(mefb_channels(lambda f, s, g: qcb(f, *two_sources(s, 'Qcb')))),
    },
    description='Chen-Blum human-perception metric (contrast preservation)',
)

Qcv = define_metric(
    'Qcv',
    False,
    {
        'standard': lambda f, s, g: qcv(f, *two_sources(s, 'Qcv')),
        'vifb': per_channel(lambda f, s, g: qcv(f, *two_sources(s, 'Qcv'))),
        'mefb': mefb_channels(lambda f, s, g: qcv(f, *two_sources(s, 'Qcv'))),
    },
    description='Chen-Varshney human-perception metric (regional CSF-weighted error)',
)
