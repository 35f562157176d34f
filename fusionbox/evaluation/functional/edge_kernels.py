"""Compiled element-wise passes of Qabf (see :func:`.edge.qabf`).

Imported lazily (importing numba costs ~0.2 s); compiled on first use and cached on disk. Each
pass does NumPy's operations in their order and in the images' dtype (float32 under
``cddfuse``: the constants are given in that dtype, as NumPy casts a Python scalar), so the
values are NumPy's exactly (tested); the arctangents and exponentials stay NumPy's. They
release the GIL.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True, nogil=True, error_model='numpy')
def strength(sx, sy, one, g, ratio):
    """g = sqrt(sx^2 + sy^2) and ratio = sy / sx (sy / 1 where sx is 0), filled in place."""
    rows, cols = sx.shape
    for i in range(rows):
        for j in range(cols):
            x, y = sx[i, j], sy[i, j]
            g[i, j] = math.sqrt(x * x + y * y)
            ratio[i, j] = y / (one if x == 0 else x)


@njit(cache=True, nogil=True, error_model='numpy')
def sigmoid_args(g_s, a_s, g_f, a_f, equal_takes_fused, c, arg_g, arg_a):
    """The exponents of Q_g and Q_a: kg (rel - Dg) and ka (ang - Da), rel = min / max of the
    strengths (the fused one, or 1, where they are equal), ang = 1 - |a_s - a_f| / (pi / 2);
    ``c`` = (1, pi / 2, kg, Dg, ka, Da) in the images' dtype. Filled in place."""
    one, half_pi, kg, dg, ka, da = c[0], c[1], c[2], c[3], c[4], c[5]
    rows, cols = g_s.shape
    for i in range(rows):
        for j in range(cols):
            s, f = g_s[i, j], g_f[i, j]
            if s == f:
                rel = f if equal_takes_fused else one
            else:
                rel = min(s, f) / max(s, f)
            ang = one - abs(a_s[i, j] - a_f[i, j]) / half_pi
            arg_g[i, j] = kg * (rel - dg)
            arg_a[i, j] = ka * (ang - da)


@njit(cache=True, nogil=True, error_model='numpy')
def preservation(exp_g, exp_a, one, tg, ta, out):
    """Q = Tg / (1 + exp_g) * (Ta / (1 + exp_a)), filled in place."""
    rows, cols = exp_g.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] = tg / (one + exp_g[i, j]) * (ta / (one + exp_a[i, j]))
