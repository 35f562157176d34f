"""Edge-preservation metrics of the Xydeas-Petrovic family: Qabf (Q^{AB/F}).

Ref: C. S. Xydeas and V. Petrovic, "Objective image fusion performance measure", Electronics
Letters 36(4), 2000. Constants as in the MATLAB code of Richang Hong used by Tang and VIFB:
Tg = 0.9994, kg = -15, Dg = 0.5, Ta = 0.9879, ka = -22, Da = 0.8.
"""

from __future__ import annotations

import numpy as np

from .base import as_f32, as_f64, define_metric, grey, per_channel
from .filters import SOBEL_X, SOBEL_Y, conv2_matlab, sobel_same

TG, KG, DG = 0.9994, -15.0, 0.5
TA, KA, DA = 0.9879, -22.0, 0.8


def sobel_strength_orientation(img: np.ndarray, matlab_order: bool = False):
    """Sobel magnitude g and orientation atan(Sy / Sx) (pi / 2 where Sx == 0), in img's dtype.
    ``matlab_order`` accumulates non-integer images in MATLAB ``conv2``'s order (Tang)."""
    conv = conv2_matlab if matlab_order else sobel_same
    sx, sy = conv(img, SOBEL_X), conv(img, SOBEL_Y)
    g = np.sqrt(sx * sx + sy * sy)
    zero = sx == 0
    a = np.arctan(sy / np.where(zero, 1, sx))
    a[zero] = np.pi / 2
    return g, a.astype(img.dtype)


def edge_preservation(g_s, a_s, g_f, a_f, equal_takes_fused: bool):
    """Per-pixel Q^{SF}: sigmoid of the relative strength times sigmoid of the orientation
    agreement. ``equal_takes_fused`` reproduces the MATLAB branch ``if gA == gF, G = gF``."""
    with np.errstate(divide='ignore', invalid='ignore'):
        rel = np.minimum(g_s, g_f) / np.maximum(g_s, g_f)  # the smaller over the larger
    np.copyto(rel, g_f if equal_takes_fused else 1, where=g_s == g_f, casting='unsafe')
    ang = 1 - np.abs(a_s - a_f) / (np.pi / 2)
    qg = TG / (1 + np.exp(KG * (rel - DG)))
    qa = TA / (1 + np.exp(KA * (ang - DA)))
    return qg * qa


def qabf(fused, sources, equal_takes_fused: bool = False, matlab_order: bool = False) -> float:
    """Q^{AB/F} for any number of sources: sum_s Q^{sF} g_s / sum_s g_s (dtype of the input).
    As the evaluators do, the weighted maps and the strengths are added pixelwise over the
    sources before the (one) sum of each."""
    g_f, a_f = sobel_strength_orientation(fused, matlab_order)
    num = den = 0
    for s in sources:
        g_s, a_s = sobel_strength_orientation(s, matlab_order)
        num = num + edge_preservation(g_s, a_s, g_f, a_f, equal_takes_fused) * g_s
        den = den + g_s
    return np.sum(num) / np.sum(den)


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
        'tang': lambda f, s, g: qabf(
            as_f64(grey(f)) / 255, [as_f64(grey(x)) / 255 for x in s], True, matlab_order=True
        ),
    },
    description='Xydeas-Petrovic gradient-based edge preservation Q^{AB/F}',
)
