"""Visual information fidelity (Sheikh and Bovik's multi-scale pixel-domain VIF), summed over
the sources as fusion papers report it ("VIFF" in CDDFuse's evaluator).

Ref: H. R. Sheikh and A. C. Bovik, "Image information and visual quality", IEEE TIP 15(2), 2006;
``vifp_mscale.m`` (LIVE): 4 scales, Gaussian windows of size 2^(5-s)+1 with sigma N/5, noise
variance 2. Filtering is separable (``filters.filter_valid``) and batched over the sources.
"""
from __future__ import annotations

import numpy as np

from .base import as_f64, as_u8, define_metric, grey
from .filters import filter_valid, gaussian_1d

SIGMA_NSQ = 2.0
EPS = 1e-10


def vifp_multi(refs, dist, saturate_uint8: bool = False) -> np.ndarray:
    """VIF(ref_i, dist) for each reference, sharing the filtering of ``dist``.

    Args:
        refs: list of K reference images (H, W).
        dist: the distorted (fused) image (H, W).
        saturate_uint8: reproduce MATLAB on uint8 inputs, where at the first scale the
            products ``ref .* ref`` and ``ref .* dist`` saturate at 255. Defaults to False.

    Returns:
        (K,) array of VIF values (nan where a reference has no variance).
    """
    k = len(refs)
    imgs = np.stack([as_f64(r) for r in refs] + [as_f64(dist)])  # (K + 1, H, W)
    num, den = np.zeros(k), np.zeros(k)
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        win = gaussian_1d(n, n / 5.0)
        if scale > 1:
            imgs = filter_valid(imgs, win, transposed=True)[:, ::2, ::2]
        r, d = imgs[:k], imgs[k:]
        rr, dd, rd = r * r, d * d, r * d
        if saturate_uint8 and scale == 1:
            rr, dd, rd = np.minimum(rr, 255), np.minimum(dd, 255), np.minimum(rd, 255)
        # every statistic comes out transposed alike; only sums over pixels follow
        filt = filter_valid(np.concatenate([imgs, rr, dd, rd]), win, transposed=True)
        mu1, mu2 = filt[:k], filt[k:k + 1]
        s1 = np.maximum(filt[k + 1:2 * k + 1] - mu1 * mu1, 0)
        s2 = np.maximum(filt[2 * k + 1:2 * k + 2] - mu2 * mu2, 0)
        s12 = filt[2 * k + 2:] - mu1 * mu2
        g = s12 / (s1 + EPS)
        sv = s2 - g * s12
        low1, low2 = s1 < EPS, s2 < EPS
        sv = np.where(low2, 0, np.where(low1, s2, sv))
        g = np.where(low1 | low2, 0, g)
        s1 = np.where(low1, 0, s1)
        neg = g < 0
        sv = np.where(neg, s2, sv)
        g = np.maximum(g, 0)
        sv = np.where(sv <= EPS, EPS, sv)
        num += np.log10(1 + g * g * s1 / (sv + SIGMA_NSQ)).sum(axis=(1, 2))
        den += np.log10(1 + s1 / SIGMA_NSQ).sum(axis=(1, 2))
    with np.errstate(invalid='ignore', divide='ignore'):
        return num / den


def _vif_cddfuse(fused, sources, gt):
    vals = vifp_multi(sources, fused)
    return float(np.where(np.isnan(vals), 1.0, vals).sum())  # the evaluator maps nan to 1


VIF = define_metric(
    'VIF', True,
    {'standard': lambda f, s, g: vifp_multi(s, f).sum(), 'cddfuse': _vif_cddfuse,
     'tang': lambda f, s, g: vifp_multi([as_u8(grey(x)) for x in s], as_u8(grey(f)),
                                        saturate_uint8=True).sum()},
    description='multi-scale pixel-domain VIF(source, fused), summed over sources')
