"""Visual information fidelity (Sheikh and Bovik's multi-scale pixel-domain VIF), summed over
the sources as fusion papers report it ("VIFF" in CDDFuse's evaluator).

Ref: H. R. Sheikh and A. C. Bovik, "Image information and visual quality", IEEE TIP 15(2), 2006;
``vifp_mscale.m`` (LIVE): 4 scales, Gaussian windows of size 2^(5-s)+1 with sigma N/5, noise
variance 2. Filtering is separable (``filters.sep_filter_valid``, OpenCV).
"""

from __future__ import annotations

import numpy as np

from .base import as_f64, as_u8, define_metric, grey
from .filters import gaussian_1d, sep_filter_valid

SIGMA_NSQ = 2.0
EPS = 1e-10


def vifp_multi(refs, dist, saturate_uint8: bool = False) -> np.ndarray:
    """VIF(ref_i, dist) for each reference, sharing the filtering of ``dist``.

    The statistics are those of the LIVE code (and CDDFuse's evaluator) in float64; OpenCV does
    the separable filtering into reused buffers and the evaluator's branches are applied with
    masks, so the per-pixel terms equal the evaluator's up to the filter's rounding (~1e-15).

    Args:
        refs: list of K reference images (H, W).
        dist: the distorted (fused) image (H, W).
        saturate_uint8: reproduce MATLAB on uint8 inputs, where at the first scale the
            products ``ref .* ref``, ``dist .* dist`` and ``ref .* dist`` saturate at 255.
            Defaults to False.

    Returns:
        (K,) array of VIF values (nan where a reference has no variance).
    """
    k = len(refs)
    refs = [as_f64(r) for r in refs]
    dist = as_f64(dist)
    num, den = np.zeros(k), np.zeros(k)
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        win = gaussian_1d(n, n / 5.0)
        if scale > 1:  # low-pass then keep every other row and column
            buf = np.empty_like(dist)
            refs = [np.ascontiguousarray(sep_filter_valid(r, win, buf)[::2, ::2]) for r in refs]
            dist = np.ascontiguousarray(sep_filter_valid(dist, win, buf)[::2, ::2])
        saturate = saturate_uint8 and scale == 1
        full = [np.empty_like(dist) for _ in range(4)]

        def moment(a, b, buf, prod=full[3], win=win, saturate=saturate):
            np.multiply(a, b, out=prod)
            if saturate:
                np.minimum(prod, 255, out=prod)
            return sep_filter_valid(prod, win, buf)

        mu2 = sep_filter_valid(dist, win)
        s2 = moment(dist, dist, np.empty_like(dist))
        tmp, g, sv = (np.empty(mu2.shape) for _ in range(3))
        keep1 = np.empty(mu2.shape, dtype=bool)
        s2 -= np.multiply(mu2, mu2, out=tmp)
        np.maximum(s2, 0, out=s2)
        keep2 = s2 >= EPS
        for i, r in enumerate(refs):
            mu1 = sep_filter_valid(r, win, full[0])
            s1 = moment(r, r, full[1])
            s12 = moment(r, dist, full[2])
            s1 -= np.multiply(mu1, mu1, out=tmp)
            np.maximum(s1, 0, out=s1)
            s12 -= np.multiply(mu1, mu2, out=tmp)
            np.divide(s12, np.add(s1, EPS, out=tmp), out=g)
            np.subtract(s2, np.multiply(g, s12, out=sv), out=sv)
            np.maximum(sv, EPS, out=sv)
            sv += SIGMA_NSQ
            # the evaluator's branches: g = 0 where a variance is below eps or where g < 0
            # (sv is then irrelevant), and sigma1^2 = 0 where it is below eps
            np.greater_equal(s1, EPS, out=keep1)
            np.maximum(g, 0, out=g)
            g *= keep1
            g *= keep2
            s1 *= keep1
            g *= g
            g *= s1
            g /= sv
            g += 1
            num[i] += np.log10(g, out=g).sum()
            np.multiply(s1, 1.0 / SIGMA_NSQ, out=tmp)
            tmp += 1
            den[i] += np.log10(tmp, out=tmp).sum()
    with np.errstate(invalid='ignore', divide='ignore'):
        return num / den


def _vif_cddfuse(fused, sources, gt):
    vals = vifp_multi(sources, fused)
    return float(np.where(np.isnan(vals), 1.0, vals).sum())  # the evaluator maps nan to 1


VIF = define_metric(
    'VIF',
    True,
    {
        'standard': lambda f, s, g: vifp_multi(s, f).sum(),
        'cddfuse': _vif_cddfuse,
        'tang': lambda f, s, g: vifp_multi(
            [as_u8(grey(x)) for x in s], as_u8(grey(f)), saturate_uint8=True
        ).sum(),
    },
    description='multi-scale pixel-domain VIF(source, fused), summed over sources',
)
