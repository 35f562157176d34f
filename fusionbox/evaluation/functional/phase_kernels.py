"""Compiled per-pixel loops of phase congruency (see :func:`.phase.phase_congruency`).

Imported lazily by :mod:`.phase` (importing numba costs ~0.2 s). Compiled on first use and cached
on disk (``cache=True``): the first Qp on a machine spends a few seconds compiling. Each kernel
is one pass over the pixels where NumPy made one pass per operation; the operations and their
order are those of ``myphasecong3`` (sums over the scales in scale order).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model='numpy')
def scale_sums(eo, eps, cut_off, g, sum_an, an0_sq, energy, spread):
    """Per pixel, from one orientation's (nscale, rows, cols) complex responses: the sum of the
    amplitudes, the first scale's squared amplitude, the energy
    sum_s e mean_e + o mean_o - |e mean_o - o mean_e| (mean_e, mean_o: the direction of the
    summed response, |.| + eps) and the frequency-spread exponent (cut_off - width) g, width =
    sum / (max + eps) / nscale (all filled in place, (rows, cols))."""
    nscale, rows, cols = eo.shape
    # one row at a time, the pixels innermost (vectorised), the scales in order
    total, top, sum_e, sum_o = np.empty(cols), np.empty(cols), np.empty(cols), np.empty(cols)
    mean_e, mean_o, dev = np.empty(cols), np.empty(cols), np.empty(cols)
    for r in range(rows):
        for c in range(cols):
            z = eo[0, r, c]
            an = math.sqrt(z.real * z.real + z.imag * z.imag)
            total[c], top[c], sum_e[c], sum_o[c] = an, an, z.real, z.imag
            an0_sq[r, c] = an * an
        for s in range(1, nscale):
            for c in range(cols):
                z = eo[s, r, c]
                an = math.sqrt(z.real * z.real + z.imag * z.imag)
                total[c] += an
                top[c] = max(top[c], an)
                sum_e[c] += z.real
                sum_o[c] += z.imag
        for c in range(cols):
            x_energy = math.sqrt(sum_e[c] * sum_e[c] + sum_o[c] * sum_o[c]) + eps
            mean_e[c], mean_o[c] = sum_e[c] / x_energy, sum_o[c] / x_energy
            dev[c] = 0.0
        for s in range(nscale):
            for c in range(cols):
                z = eo[s, r, c]
                dev[c] += abs(z.real * mean_o[c] - z.imag * mean_e[c])
        for c in range(cols):
            energy[r, c] = sum_e[c] * mean_e[c] + sum_o[c] * mean_o[c] - dev[c]
            sum_an[r, c] = total[c]
            spread[r, c] = (cut_off - total[c] / (top[c] + eps) / nscale) * g


@njit(cache=True, error_model='numpy')
def accumulate(energy, sum_an, exp_spread, threshold, cos2, sin2, cos_sin, totals):
    """One orientation's phase congruency added to the running sums ``totals`` (5, rows, cols):
    weighted energy, amplitude, and the orientation covariance terms x^2, y^2, xy of pc^2,
    pc = max(energy - threshold, 0) / (1 + exp_spread) / sum_an (0 where sum_an is 0)."""
    rows, cols = energy.shape
    for r in range(rows):
        for c in range(cols):
            weighted = max(energy[r, c] - threshold, 0.0) * (1.0 / (1 + exp_spread[r, c]))
            an = sum_an[r, c]
            totals[0, r, c] += weighted
            totals[1, r, c] += an
            pc = 0.0 if an == 0 else weighted / an
            pc2 = pc * pc
            totals[2, r, c] += cos2 * pc2
            totals[3, r, c] += sin2 * pc2
            totals[4, r, c] += cos_sin * pc2
