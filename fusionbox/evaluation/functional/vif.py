"""Visual information fidelity (Sheikh and Bovik's multi-scale pixel-domain VIF), summed over
the sources as fusion papers report it ("VIFF" in CDDFuse's evaluator).

Ref: H. R. Sheikh and A. C. Bovik, "Image information and visual quality", IEEE TIP 15(2), 2006;
``vifp_mscale.m`` (LIVE): 4 scales, Gaussian windows of size 2^(5-s)+1 with sigma N/5, noise
variance 2. Filtering is separable (OpenCV's arithmetic, compiled, only where it is kept: the
valid part, every other pixel when downsampling), the per-pixel terms compiled (numba,
imported on first use; the first VIF on a machine compiles them).
"""

from __future__ import annotations

import numpy as np

from .base import as_f64, as_u8, define_metric, grey, mefb_channels
from .cache import cached, keyed_grey, scoped
from .filters import gaussian_1d, sep_filter_valid
from .parallel import parallel_map

SIGMA_NSQ = 2.0
EPS = 1e-10


def vifp_multi(refs, dist, saturate_uint8: bool = False) -> np.ndarray:
    """VIF(ref_i, dist) for each reference, sharing the filtering of ``dist``.

    The statistics are those of the LIVE code (and CDDFuse's evaluator) in float64; separable
    filtering with OpenCV's arithmetic (:func:`~.filters.sep_filter_valid`) and compiled passes
    (:mod:`.vif_kernels`, numba, imported on first use) the per-pixel terms, with the
    evaluator's branches, so the per-pixel terms equal the evaluator's up to the filter's
    rounding (~1e-15). What depends on a reference alone (its
    pyramid, local means and variances, the denominator) is computed once per reference array
    inside a :func:`~.cache.source_cache` scope. The references are processed in parallel
    threads (:func:`~.parallel.parallel_map`).

    Args:
        refs: list of K reference images (H, W).
        dist: the distorted (fused) image (H, W).
        saturate_uint8: reproduce MATLAB on uint8 inputs, where at the first scale the
            products ``ref .* ref``, ``dist .* dist`` and ``ref .* dist`` saturate at 255.
            Defaults to False.

    Returns:
        (K,) array of VIF values (nan where a reference has no variance).
    """
    kernels = _kernels()
    dist_side = _dist_side(as_f64(dist), saturate_uint8)

    def per_ref(ref):
        side = cached(('vif-ref', saturate_uint8), (ref,), lambda: _ref_side(ref, saturate_uint8))
        num = 0.0
        for scale, (r, d) in enumerate(zip(side, dist_side)):
            if r['mu'].size == 0:  # a scale too small for its window adds nothing
                continue
            mean_xy = _moment(r['img'], d['img'], d['win'], saturate_uint8 and scale == 0)
            arg = np.empty_like(r['mu'])
            kernels.numerator_terms(
                mean_xy, r['mu'], d['mu'], r['s'], d['s'], r['s_masked'], EPS, SIGMA_NSQ, arg
            )
            num += np.log10(arg, out=arg).sum()
        return num, sum(r['den'] for r in side)

    terms = np.array(parallel_map(per_ref, list(refs)))  # (K, 2): numerators, denominators
    with np.errstate(invalid='ignore', divide='ignore'):
        return terms[:, 0] / terms[:, 1]


def _kernels():
    from . import vif_kernels  # numba: imported on first use

    return vif_kernels


def _windows():
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        yield scale, gaussian_1d(n, n / 5.0)


def _pyramid(img, store):
    """The image at each of the 4 scales (low-pass, then every other row and column), each
    passed to ``store(scale_image, window, first_scale)``."""
    img = as_f64(img)
    out = []
    for scale, win in _windows():
        if scale > 1:
            img = sep_filter_valid(img, win, step=2)
        out.append(store(img, win, scale == 1))
    return out


def _local_stats(x, win, saturate):
    """Valid local mean and variance max(mean(x^2) - mu^2, 0) of ``x`` under ``win`` (the
    squares saturated at 255 where MATLAB's uint8 does)."""
    mu = sep_filter_valid(x, win)
    var = np.empty_like(mu)
    _kernels().variance(mu, _moment(x, x, win, saturate), var)
    return mu, var


def _dist_side(dist, saturate_uint8):
    def stats(d, win, first):
        mu2, s2 = _local_stats(d, win, saturate_uint8 and first)
        return {'img': d, 'win': win, 'mu': mu2, 's': s2}

    return _pyramid(dist, stats)


def _ref_side(ref, saturate_uint8):
    """Per scale: the reference, its local mean, its clipped local variance (as used in the
    gain), the variance with the evaluator's ``sigma1^2 < eps -> 0`` applied and the
    denominator sum log10(1 + sigma1^2 / sn)."""

    def stats(r, win, first):
        mu1, s1 = _local_stats(r, win, saturate_uint8 and first)
        s1m, arg = np.empty_like(s1), np.empty_like(s1)
        _kernels().reference_terms(s1, EPS, SIGMA_NSQ, s1m, arg)
        den = np.log10(arg, out=arg).sum()
        return {'img': r, 'mu': mu1, 's': s1, 's_masked': s1m, 'den': den}

    return _pyramid(ref, stats)


def _moment(a, b, win, saturate):
    """Valid local mean of ``a * b``, the product saturated at 255 where MATLAB's uint8
    does."""
    prod = np.empty_like(a)
    _kernels().product(a, b, saturate, prod)
    return sep_filter_valid(prod, win)


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


def _viff_side(img):
    """Per scale (image, local mean, clipped local variance) of one image for ``ComVidVindG``,
    once per array in a source_cache scope."""

    def compute():
        x, out = as_f64(img), []
        for scale in range(1, 5):
            n = 2 ** (5 - scale) + 1
            win = gaussian_1d(n, n / 5.0)
            if scale > 1:
                x = sep_filter_valid(x, win, step=2)
            mu = sep_filter_valid(x, win)
            out.append((x, mu, np.maximum(sep_filter_valid(x * x, win) - mu * mu, 0)))
        return out

    return cached('viff-side', (img,), compute)


def _viff_ref_terms(ref, sigma_nsq):
    """Per scale (the reference's variance, 0 where below 1e-10; its VIND map
    log10(1 + sigma1^2 / sigma_n^2)), once per array in a source_cache scope."""

    def compute():
        out = []
        for _, _, s1 in _viff_side(ref):
            s1 = np.where(s1 < 1e-10, 0.0, s1)
            out.append((s1, np.log10(1 + s1 / sigma_nsq)))
        return out

    return cached(('viff-ref', sigma_nsq), (ref,), compute)


def _viff_maps(ref, dist, sigma_nsq=VIFF_NOISE):
    """Per scale the terms of ``ComVidVindG``: (gain g, sigma_v^2, masked sigma1^2, VIND map);
    the VID map is log10(1 + g^2 sigma1^2 / (sigma_v^2 + sigma_n^2)) (:func:`_vid`)."""
    out = []
    for scale, ((r, mu1, s1), (d, mu2, s2)) in enumerate(zip(_viff_side(ref), _viff_side(dist))):
        n = 2 ** (4 - scale) + 1
        s12 = sep_filter_valid(r * d, gaussian_1d(n, n / 5.0)) - mu1 * mu2
        # ComVidVindG's branches: g = 0 where either variance is below 1e-10 or g < 0 (where
        # g = 0 the VID term is 0 whatever sigma_v^2 is, so only its floor of 1e-10 matters)
        g = s12 / (s1 + 1e-10)
        sv = s2 - g * s12
        np.maximum(sv, 1e-10, out=sv)
        np.copyto(g, 0.0, where=(s1 < 1e-10) | (s2 < 1e-10) | (g < 0))
        s1, vind = _viff_ref_terms(ref, sigma_nsq)[scale]  # s1 = 0 where below 1e-10
        out.append((g, sv, s1, vind))
    return out


def _vid(g, sv, s1, sigma_nsq=VIFF_NOISE):
    return np.log10(1 + g * g * s1 / (sv + sigma_nsq))


def viff(fused, sources) -> float:
    """Han's VIFF of the fused image against N sources (grey, 0..255). At each pixel and scale
    the source with the smallest gain g is used (ties: the later source, as the authors' code
    for two sources)."""
    maps = [_viff_maps(s, fused) for s in sources]
    ratios = []
    for scale in range(4):
        terms = [m[scale] for m in maps]  # per source (g, sv, s1, vind)
        if len(maps) == 2:  # the authors' two sources: the second where its gain is not larger
            second = terms[1][0] <= terms[0][0]
            g, sv, s1, vind = (np.where(second, b, a) for a, b in zip(*terms))
        else:
            gs = np.stack([t[0] for t in terms])[::-1]  # reversed: ties -> later source
            pick = len(maps) - 1 - np.argmin(gs, axis=0)
            g, sv, s1, vind = (np.choose(pick, list(x)) for x in zip(*terms))
        vid = _vid(g, sv, s1)  # of the chosen source only
        ratios.append(np.sum(vid + VIFF_C) / np.sum(vind + VIFF_C))
    return float(np.sum(np.asarray(ratios) * VIFF_WEIGHTS))


@scoped
def _viff(fused, sources, gt=None):
    return viff(grey(fused), [keyed_grey(s) for s in sources])


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
        'mefb': scoped(mefb_channels(_viff)),  # MEFB's "VIF" is Han's VIFF
    },
    description='multi-scale pixel-domain VIF(source, fused), summed over sources (mefb: '
    "Han's VIFF)",
    min_size={'*': 25, 'mefb': 41},
    size_note=VIF_SIZE_NOTE,
)
