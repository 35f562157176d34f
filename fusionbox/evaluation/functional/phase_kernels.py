"""Compiled per-pixel loops of phase congruency (see :func:`.phase.phase_congruency`).

Imported lazily by :mod:`.phase` (importing numba costs ~0.2 s). Compiled on first use and cached
on disk (``cache=True``): the first Qp on a machine spends a few seconds compiling. Each kernel
is one pass over the pixels where NumPy made one pass per operation; the operations and their
order are those of ``myphasecong3`` (sums over the scales in scale order). They release the GIL
(the metrics of an image may run in threads).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model='numpy')
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


@njit(cache=True, nogil=True, error_model='numpy')
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


@njit(cache=True, nogil=True, error_model='numpy')
def masked_products(feat, mask, feat_f, x, xx, xf):
    """x = mask * feat, x^2 and x * feat_f (filled in place), the inputs of the local moments
    of ``correlation_coeffcient``."""
    rows, cols = feat.shape
    for r in range(rows):
        for c in range(cols):
            v = feat[r, c] * (1.0 if mask[r, c] else 0.0)
            x[r, c] = v
            xx[r, c] = v * v
            xf[r, c] = v * feat_f[r, c]


@njit(cache=True, nogil=True, error_model='numpy')
def best_correlation(mu, mean_xx, mean_xf, mu_f, var_f, mask, c, best, first):
    """The local correlation (sxf + c) / (sqrt|sx2 sf2| + c) in the region ``mask`` (0 outside),
    sx2 = mean_xx - mu^2, sxf = mean_xf - mu mu_f, written to ``best`` if ``first`` else its
    element-wise maximum with ``best``."""
    rows, cols = mu.shape
    for r in range(rows):
        for q in range(cols):
            m = mu[r, q]
            sx2 = mean_xx[r, q] - m * m
            sxf = mean_xf[r, q] - m * mu_f[r, q]
            res = (sxf + c) / (math.sqrt(abs(sx2 * var_f[r, q])) + c) if mask[r, q] else 0.0
            best[r, q] = res if first else np.maximum(best[r, q], res)


@njit(cache=True, nogil=True)
def median_nonnegative(x):
    """``np.median(x)`` of non-negative doubles (NaN if any is NaN) by selection on the bit
    patterns, which order non-negative doubles as their values: a histogram of 2^16 buckets
    over the range of the candidates keeps those in the bucket of the middle rank(s) (or, if
    the two middle ranks fall in two buckets, takes the largest of one and the smallest of
    the next), until few are left to sort."""
    cand = x.ravel().view(np.int64)
    if cand.max() > 0x7FF0000000000000:  # a NaN (or a negative value, which this does not take)
        return np.nan
    lo, hi = (cand.size - 1) // 2, cand.size // 2  # the middle ranks among the candidates
    counts = np.empty(1 << 16, np.int64)
    while cand.size > 256:
        base = cand.min()
        spread = cand.max() - base
        if spread == 0:  # all equal
            cand = cand[:1]
            lo = hi = 0
            break
        shift = 0
        while spread >> shift >= 1 << 16:
            shift += 1
        counts[:] = 0
        for v in cand:
            counts[(v - base) >> shift] += 1
        start, b = 0, 0
        while start + counts[b] <= lo:
            start += counts[b]
            b += 1
        if start + counts[b] <= hi:  # the middle ranks end one bucket and start the next
            b_hi = b + 1
            while counts[b_hi] == 0:
                b_hi += 1
            below, above = base, base + spread
            for v in cand:
                key = (v - base) >> shift
                if key == b:
                    below = max(below, v)
                elif key == b_hi:
                    above = min(above, v)
            pair = np.array([below, above]).view(np.float64)
            return (pair[0] + pair[1]) / 2.0
        kept = np.empty(counts[b], np.int64)  # the bucket of both middle ranks
        m = 0
        for v in cand:
            if (v - base) >> shift == b:
                kept[m] = v
                m += 1
        cand, lo, hi = kept, lo - start, hi - start
    vals = np.sort(cand).view(np.float64)
    return (vals[lo] + vals[hi]) / 2.0


@njit(cache=True, nogil=True, error_model='numpy')
def moments(totals, norient, eps):
    """(phase congruency, maximum moment M, minimum moment m) from the sums of
    :func:`accumulate`: pc = energy / (amplitude + eps); the covariance terms averaged
    (x^2, y^2 over norient / 2, xy over norient), M, m = (x^2 + y^2 +- (sqrt(xy^2 +
    (x^2 - y^2)^2) + eps)) / 2."""
    rows, cols = totals.shape[1:]
    pc, big_m, small_m = np.empty((rows, cols)), np.empty((rows, cols)), np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            pc[r, c] = totals[0, r, c] / (totals[1, r, c] + eps)
            x2 = totals[2, r, c] / (norient / 2)
            y2 = totals[3, r, c] / (norient / 2)
            xy = totals[4, r, c] / norient
            denom = math.sqrt(xy * xy + (x2 - y2) * (x2 - y2)) + eps
            big_m[r, c] = (y2 + x2 + denom) / 2
            small_m[r, c] = (y2 + x2 - denom) / 2
    return pc, big_m, small_m
