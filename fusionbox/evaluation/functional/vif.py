"""Visual information fidelity (Sheikh and Bovik's multi-scale pixel-domain VIF), summed over
the sources as fusion papers report it ("VIFF" in CDDFuse's evaluator).

Ref: H. R. Sheikh and A. C. Bovik, "Image information and visual quality", IEEE TIP 15(2), 2006;
``vifp_mscale.m`` (LIVE): 4 scales, Gaussian windows of size 2^(5-s)+1 with sigma N/5, noise
variance 2. Filtering is separable (``filters.sep_filter_valid``, OpenCV).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .base import as_f64, as_u8, define_metric, grey, mefb_channels
from .filters import gaussian_1d, sep_filter_valid
from .parallel import parallel_map

SIGMA_NSQ = 2.0
EPS = 1e-10


def vifp_multi(refs, dist, saturate_uint8: bool = False) -> np.ndarray:
    """VIF(ref_i, dist) for each reference, sharing the filtering of ``dist``.

    The statistics are those of the LIVE code (and CDDFuse's evaluator) in float64; OpenCV does
    the separable filtering into reused buffers and the evaluator's branches are applied with
    masks, so the per-pixel terms equal the evaluator's up to the filter's rounding (~1e-15).
    The references are processed in parallel threads (:func:`~.parallel.parallel_map`).

    Args:
        refs: list of K reference images (H, W).
        dist: the distorted (fused) image (H, W).
        saturate_uint8: reproduce MATLAB on uint8 inputs, where at the first scale the
            products ``ref .* ref``, ``dist .* dist`` and ``ref .* dist`` saturate at 255.
            Defaults to False.

    Returns:
        (K,) array of VIF values (nan where a reference has no variance).
    """
    refs = [as_f64(r) for r in refs]
    dist = as_f64(dist)
    terms = np.zeros((len(refs), 2))  # per reference: sum of log10 numerators, denominators
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        win = gaussian_1d(n, n / 5.0)
        if scale > 1:  # low-pass then keep every other row and column
            buf = np.empty_like(dist)
            refs = [np.ascontiguousarray(sep_filter_valid(r, win, buf)[::2, ::2]) for r in refs]
            dist = np.ascontiguousarray(sep_filter_valid(dist, win, buf)[::2, ::2])
        saturate = saturate_uint8 and scale == 1
        mu2 = sep_filter_valid(dist, win)
        s2 = _moment(dist, dist, win, saturate)
        s2 -= mu2 * mu2
        np.maximum(s2, 0, out=s2)
        per_ref = partial(_vif_scale_terms, dist=dist, mu2=mu2, s2=s2, win=win, saturate=saturate)
        terms += np.array(parallel_map(per_ref, refs))
    with np.errstate(invalid='ignore', divide='ignore'):
        return terms[:, 0] / terms[:, 1]


def _moment(a, b, win, saturate, prod=None, out=None):
    """Local mean of ``a * b`` (the product saturated at 255 where MATLAB's uint8 does)."""
    prod = np.multiply(a, b, out=prod)
    if saturate:
        np.minimum(prod, 255, out=prod)
    return sep_filter_valid(prod, win, out)


def _vif_scale_terms(ref, dist, mu2, s2, win, saturate) -> tuple:
    """(sum log10(1 + g^2 s1 / (sv + sn)), sum log10(1 + s1 / sn)) of one reference at one
    scale, given the fused image's local mean ``mu2`` and variance ``s2``."""
    prod = np.empty_like(ref)
    mu1 = sep_filter_valid(ref, win)
    s1 = _moment(ref, ref, win, saturate, prod, np.empty_like(ref))
    s12 = _moment(ref, dist, win, saturate, prod, np.empty_like(ref))
    tmp, g, sv = (np.empty(mu2.shape) for _ in range(3))
    s1 -= np.multiply(mu1, mu1, out=tmp)
    np.maximum(s1, 0, out=s1)
    s12 -= np.multiply(mu1, mu2, out=tmp)
    np.divide(s12, np.add(s1, EPS, out=tmp), out=g)
    np.subtract(s2, np.multiply(g, s12, out=sv), out=sv)
    np.maximum(sv, EPS, out=sv)
    sv += SIGMA_NSQ
    # the evaluator's branches: g = 0 where a variance is below eps or where g < 0 (sv is then
    # irrelevant), and sigma1^2 = 0 where it is below eps
    keep1 = s1 >= EPS
    np.maximum(g, 0, out=g)
    g *= keep1
    g *= s2 >= EPS
    s1 *= keep1
    g *= g
    g *= s1
    g /= sv
    g += 1
    num = np.log10(g, out=g).sum()
    np.multiply(s1, 1.0 / SIGMA_NSQ, out=tmp)
    tmp += 1
    return num, np.log10(tmp, out=tmp).sum()


def _vif_sum(vals) -> float:
    """Sum over the sources; a source without variance (0 / 0, nan in the LIVE code) counts 1,
    the convention of CDDFuse's evaluator."""
    return float(np.where(np.isnan(vals), 1.0, vals).sum())


def _vif_cddfuse(fused, sources, gt):
    vals = vifp_multi(sources, fused)
    return float(np.where(np.isnan(vals), 1.0, vals).sum())  # the evaluator maps nan to 1


# --- Han et al.'s VIFF -------------------------------------------------------------------------
# Y. Han, Y. Cai, Y. Cao and X. Xu, "A new image fusion performance metric based on visual
# information fidelity", Information Fusion 14(2), 2013; the authors' code as MEFB ships it
# (``metricsVIF.m``): Sheikh-Bovik's 4-scale VIF statistics with visual noise 0.005 * 255^2, at
# each pixel the source with the smaller gain g, per-scale ratios sum(VID + C) / sum(VIND + C)
# (C = 1e-7) combined with the weights (1, 0, 0.15, 1) / 2.15.
VIFF_NOISE = 0.005 * 255 * 255
VIFF_C = 1e-7
VIFF_WEIGHTS = np.array([1.0, 0.0, 0.15, 1.0]) / 2.15
VIF_SIZE_NOTE = (
    '4 scales with 17/9/5/3-tap windows; VIF: each downsampled scale non-empty (a scale too '
    'small for its window adds nothing, as in the LIVE code); VIFF: every scale keeps a value'
)


def _viff_maps(ref, dist, sigma_nsq=VIFF_NOISE):
    """Per scale (VID map, VIND map, gain map) of ``ComVidVindG``."""
    out = []
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        win = gaussian_1d(n, n / 5.0)
        if scale > 1:
            ref = np.ascontiguousarray(sep_filter_valid(ref, win)[::2, ::2])
            dist = np.ascontiguousarray(sep_filter_valid(dist, win)[::2, ::2])
        mu1, mu2 = sep_filter_valid(ref, win), sep_filter_valid(dist, win)
        s1 = sep_filter_valid(ref * ref, win) - mu1 * mu1
        s2 = sep_filter_valid(dist * dist, win) - mu2 * mu2
        s12 = sep_filter_valid(ref * dist, win) - mu1 * mu2
        s1, s2 = np.maximum(s1, 0), np.maximum(s2, 0)
        g = s12 / (s1 + 1e-10)
        sv = s2 - g * s12
        low1 = s1 < 1e-10
        g[low1] = 0
        sv[low1] = s2[low1]
        s1[low1] = 0
        low2 = s2 < 1e-10
        g[low2] = 0
        sv[low2] = 0
        neg = g < 0
        sv[neg] = s2[neg]
        g[neg] = 0
        sv[sv <= 1e-10] = 1e-10
        vid = np.log10(1 + g * g * s1 / (sv + sigma_nsq))
        vind = np.log10(1 + s1 / sigma_nsq)
        out.append((vid, vind, g))
    return out


def viff(fused, sources) -> float:
    """Han's VIFF of the fused image against N sources (grey, 0..255). At each pixel and scale
    the source with the smallest gain g is used (ties: the later source, as the authors' code
    for two sources)."""
    f = as_f64(fused)
    maps = [_viff_maps(as_f64(s), f) for s in sources]
    ratios = []
    for scale in range(4):
        g = np.stack([m[scale][2] for m in maps])[::-1]  # reversed: argmin ties -> later source
        pick = len(maps) - 1 - np.argmin(g, axis=0)
        vid = np.choose(pick, [m[scale][0] for m in maps])
        vind = np.choose(pick, [m[scale][1] for m in maps])
        ratios.append(np.sum(vid + VIFF_C) / np.sum(vind + VIFF_C))
    return float(np.sum(np.asarray(ratios) * VIFF_WEIGHTS))


def _viff(fused, sources, gt=None):
    return viff(grey(fused), [grey(s) for s in sources])


VIFF = define_metric(
    'VIFF',
    True,
    {'standard': _viff},
    description="Han et al.'s multi-resolution fusion VIF (VIFF), any N; MEFB reports it as "
    '"VIF"',
    min_size=41,
    size_note=VIF_SIZE_NOTE,
)


VIF = define_metric(
    'VIF',
    True,
    {
        'standard': lambda f, s, g: _vif_sum(vifp_multi(s, f)),
        'cddfuse': _vif_cddfuse,
        'tang': lambda f, s, g: _vif_sum(
            vifp_multi([as_u8(grey(x)) for x in s], as_u8(grey(f)), saturate_uint8=True)
        ),
        'mefb': mefb_channels(_viff),  # MEFB's "VIF" is Han's VIFF
    },
    description='multi-scale pixel-domain VIF(source, fused), summed over sources (mefb: '
    "Han's VIFF)",
    min_size={'*': 25, 'mefb': 41},
    size_note=VIF_SIZE_NOTE,
)
