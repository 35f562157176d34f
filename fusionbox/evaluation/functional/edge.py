"""Edge-preservation metrics of the Xydeas-Petrovic family: Qabf (Q^{AB/F}).

Ref: C. S. Xydeas and V. Petrovic, "Objective image fusion performance measure", Electronics
Letters 36(4), 2000. Constants as in the MATLAB code of Richang Hong used by Tang and VIFB:
Tg = 0.9994, kg = -15, Dg = 0.5, Ta = 0.9879, ka = -22, Da = 0.8.
"""

from __future__ import annotations

import numpy as np

from .base import (
    MetricUndefinedError,
    as_f32,
    as_f64,
    define_metric,
    grey,
    mefb_channels,
    per_channel,
)
from .cache import cached
from .filters import SOBEL_X, SOBEL_Y, conv2_matlab, sobel_same

TG, KG, DG = 0.9994, -15.0, 0.5
TA, KA, DA = 0.9879, -22.0, 0.8


def _kernels():
    from . import edge_kernels  # numba: imported on first use

    return edge_kernels


def sobel_strength_orientation(img: np.ndarray, matlab_order: bool = False):
    """Sobel magnitude g and orientation atan(Sy / Sx) (pi / 2 where Sx == 0), in img's dtype.
    ``matlab_order`` accumulates non-integer images in MATLAB ``conv2``'s order (Tang)."""
    conv = conv2_matlab if matlab_order else sobel_same
    sx, sy = conv(img, SOBEL_X), conv(img, SOBEL_Y)
    g, a = np.empty_like(sx), np.empty_like(sx)
    _kernels().strength(sx, sy, sx.dtype.type(1), g, a)  # g and Sy / Sx (Sy where Sx == 0)
    np.arctan(a, out=a)
    a[sx == 0] = np.pi / 2
    return g, a.astype(img.dtype, copy=False)


def edge_preservation(g_s, a_s, g_f, a_f, equal_takes_fused: bool):
    """Per-pixel Q^{SF}: sigmoid of the relative strength times sigmoid of the orientation
    agreement. ``equal_takes_fused`` reproduces the MATLAB branch ``if gA == gF, G = gF``.
    The element-wise terms are compiled (:mod:`.edge_kernels`), the exponentials NumPy's."""
    kernels, dt = _kernels(), g_s.dtype.type
    arg_g, arg_a = np.empty_like(g_s), np.empty_like(g_s)
    consts = np.array([1, np.pi / 2, KG, DG, KA, DA], dtype=g_s.dtype)
    kernels.sigmoid_args(g_s, a_s, g_f, a_f, equal_takes_fused, consts, arg_g, arg_a)
    np.exp(arg_g, out=arg_g)
    np.exp(arg_a, out=arg_a)
    kernels.preservation(arg_g, arg_a, dt(1), dt(TG), dt(TA), arg_g)
    return arg_g


def qabf(fused, sources, equal_takes_fused: bool = False, matlab_order: bool = False) -> float:
    """Q^{AB/F} for any number of sources: sum_s Q^{sF} g_s / sum_s g_s (dtype of the input).
    As the evaluators do, the weighted maps and the strengths are added pixelwise over the
    sources before the (one) sum of each. A source's Sobel maps are computed once per array
    inside a :func:`~.cache.source_cache` scope."""
    g_f, a_f = sobel_strength_orientation(fused, matlab_order)
    num = den = 0
    for s in sources:
        g_s, a_s = cached(
            ('sobel', matlab_order), (s,), lambda s=s: sobel_strength_orientation(s, matlab_order)
        )
        num = num + edge_preservation(g_s, a_s, g_f, a_f, equal_takes_fused) * g_s
        den = den + g_s
    total = np.sum(den)
    if total == 0:
        raise MetricUndefinedError(
            'Qabf is undefined: no source has any gradient (all edge weights are 0; the '
            'published code gives 0 / 0 = NaN)'
        )
    return np.sum(num) / total


def _qabf_vifb(fused, sources, gt):
    # metricsQabf works on 255 * im2double(double(x)), i.e. 0..255^2
    return qabf(as_f64(fused) * 255, [as_f64(s) * 255 for s in sources], True)


Qabf = define_metric(
    'Qabf',
    True,
    {
        'standard': lambda f, s, g: qabf(as_f64(f), [as_f64(x) for x in s]),
        'cddfuse': lambda f, s, g: qabf(as_f32(f), [as_f32(x) for x in s], True),
        'vifb': per_channel(_qabf_vifb),
        'mefb': mefb_channels(_qabf_vifb),
        'tang': lambda f, s, g: qabf(
            as_f64(grey(f)) / 255, [as_f64(grey(x)) / 255 for x in s], True, matlab_order=True
        ),
    },
    description='Xydeas-Petrovic gradient-based edge preservation Q^{AB/F}',
)


# --- Nabf ----------------------------------------------------------------------------------------
# Petrovic's artefact measure as modified by B. K. Shreyamsha Kumar ("Image fusion based on pixel
# significance using cross bilateral filter", SIViP 2015), ``objective_fusion_perform_fn.m`` /
# Tang's ``analysis_nabf.m``: Sobel / 8 with symmetric (mirror) borders, Td = 2, wt_min = 0.001,
# L = 1.5, Q = sqrt(Qg Qa) with Nrg = 0.9999, kg = 19, sigma_g = 0.5, Nra = 0.9995, ka = 22,
# sigma_a = 0.5.
NABF_TD, NABF_WT_MIN, NABF_L = 2.0, 0.001, 1.5
NABF_NRG, NABF_KG, NABF_SG = 0.9999, 19.0, 0.5
NABF_NRA, NABF_KA, NABF_SA = 0.9995, 22.0, 0.5
_SOBEL_V8 = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8
_SOBEL_H8 = _SOBEL_V8.T.copy()


def _kumar_sobel(img):
    """``sobel_fn``: correlation with Sobel / 8 on the mirror-extended image (no edge repeat);
    returns strength g and orientation atan(gv / gh) (0 where both are 0)."""
    from scipy import ndimage

    x = as_f64(img)
    gv = ndimage.correlate(x, _SOBEL_V8, mode='mirror')
    gh = ndimage.correlate(x, _SOBEL_H8, mode='mirror')
    g = np.sqrt(gh * gh + gv * gv)
    with np.errstate(divide='ignore', invalid='ignore'):
        a = np.arctan(gv / gh)
    a[(gv == 0) & (gh == 0)] = 0
    return g, a


def nabf(fused, sources) -> float:
    """Kumar's modified fusion-artefact measure N^{AB/F} for N sources: where the fused
    gradient exceeds every source's, the losses (1 - Q^{SF}) weighted by w_S = g_S^L (g_S >= Td,
    else wt_min), over the total weight. 0 when the fused image equals a source."""
    g_f, a_f = _kumar_sobel(fused)
    artefact = np.ones(g_f.shape, dtype=bool)
    num = 0.0
    den = 0.0
    for s in sources:
        g_s, a_s = _kumar_sobel(s)
        with np.errstate(divide='ignore', invalid='ignore'):
            rel = np.where(g_s > g_f, g_f / g_s, g_s / g_f)
        rel[(g_s == 0) | (g_f == 0)] = 0
        ang = np.abs(np.abs(a_s - a_f) - np.pi / 2) * 2 / np.pi
        qg = NABF_NRG / (1 + np.exp(-NABF_KG * (rel - NABF_SG)))
        qa = NABF_NRA / (1 + np.exp(-NABF_KA * (ang - NABF_SA)))
        w = np.where(g_s >= NABF_TD, g_s**NABF_L, NABF_WT_MIN)
        artefact &= g_f > g_s
        num = num + (1 - np.sqrt(qg * qa)) * w
        den = den + w
    return float(np.sum(artefact * num) / np.sum(den))


Nabf = define_metric(
    'Nabf',
    False,
    {
        'standard': lambda f, s, g: nabf(f, s),
        # analysis_nabf(im2double(F), im2double(ir), im2double(vi)): on [0, 1] images no Sobel/8
        # strength reaches Td = 2, so every weight is wt_min (a plain mean of the losses)
        'tang': lambda f, s, g: nabf(as_f64(grey(f)) / 255, [as_f64(grey(x)) / 255 for x in s]),
    },
    description="Kumar's modified Petrovic fusion-artefact measure N^{AB/F} (any N)",
)
