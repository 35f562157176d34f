"""Compiled per-pixel passes of the pixel-domain VIF (see :func:`.vif.vifp_multi`).

Imported lazily by :mod:`.vif` (importing numba costs ~0.2 s). Compiled on first use and cached
on disk (``cache=True``): the first VIF on a machine spends a few seconds compiling. The local
means are the valid part of the separable filter (:func:`.filters.sep_filter_valid`); these
passes replace NumPy's one pass per operation, in the same order of operations. They release
the GIL (the references run in threads).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True, error_model='numpy')
def product(a, b, saturate, out):
    """out = a * b, saturated at 255 (MATLAB's uint8 products) if ``saturate``."""
    rows, cols = a.shape
    for i in range(rows):
        for j in range(cols):
            v = a[i, j] * b[i, j]
            out[i, j] = min(v, 255.0) if saturate else v


@njit(cache=True, nogil=True, error_model='numpy')
def variance(mean, mean_sq, var):
    """The local variance max(mean_sq - mean^2, 0) from local means (filled in place)."""
    rows, cols = var.shape
    for i in range(rows):
        for j in range(cols):
            m = mean[i, j]
            var[i, j] = max(mean_sq[i, j] - m * m, 0.0)


@njit(cache=True, nogil=True, error_model='numpy')
def reference_terms(var, eps, sigma_nsq, var_masked, arg):
    """A reference's variance with ``var < eps -> 0`` (``var_masked``) and the argument of its
    denominator's log10, var_masked / sigma_nsq + 1 (``arg``), filled in place."""
    rows, cols = var.shape
    for i in range(rows):
        for j in range(cols):
            v = var[i, j] * (1.0 if var[i, j] >= eps else 0.0)
            var_masked[i, j] = v
            arg[i, j] = v * (1.0 / sigma_nsq) + 1


@njit(cache=True, nogil=True, error_model='numpy')
def numerator_terms(mean_xy, mu1, mu2, var1, var2, var1_masked, eps, sigma_nsq, arg):
    """The argument of the numerator's log10 at each pixel, g^2 sigma1^2 / (sv + sigma_n^2) + 1
    with sigma12 = mean_xy - mu1 mu2 (all valid local means), the gain
    g = sigma12 / (var1 + eps) and sv = max(var2 - g sigma12, eps); with the evaluator's
    branches g = 0 where g < 0 or var2 < eps, and sigma1^2 = 0 where var1 < eps
    (``var1_masked``). Filled in place into ``arg``."""
    rows, cols = arg.shape
    for i in range(rows):
        for j in range(cols):
            c = mean_xy[i, j] - mu1[i, j] * mu2[i, j]
            g = c / (var1[i, j] + eps)
            sv = max(var2[i, j] - g * c, eps) + sigma_nsq
            g = max(g, 0.0) * (1.0 if var2[i, j] >= eps else 0.0)
            arg[i, j] = g * g * var1_masked[i, j] / sv + 1
