"""Compiled loops of Haghighat's FMI over blocks of windows (see :mod:`.fmi`).

Imported lazily by :mod:`.fmi` (importing numba costs ~0.2 s). Compiled on first use and cached
on disk (``cache=True``): the first FMI on a machine spends some seconds compiling.

A block of n windows of l = w * w values is held as (l, n) arrays, so that every loop runs over
the windows innermost and compiles to vector instructions; :mod:`.fmi` takes the logarithms
between the kernels with NumPy (vectorised too). Sums over a window's l values are taken in
NumPy's pairwise order (:func:`col_sums`): they decide exact zeros (the centred PDF of a flat
window is 0 only if its mean is exactly 1 / l), so the order is part of the definition here.
The kernels release the GIL (the metrics of an image may run in threads).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: rows of a side's statistics (5, n)
SUM, MEAN, SD, NORM2, ENTROPY = range(5)
TINY = float(np.finfo(np.float64).tiny)  # a global float: a constant of the compiled code


@njit(cache=True, nogil=True, error_model='numpy')
def col_sums(x, out, acc):
    """``out[q] = x[:, q].sum()`` for every column, in the order NumPy sums a contiguous row of
    l values (its ``pairwise_sum``): sequentially below 8 values, else 8 interleaved partial
    sums, paired, then the rest; (l > 128, windows of 13 x 13 and more, keeps the 8 partial sums
    throughout instead of NumPy's halving). ``acc`` is (8, n) scratch."""
    size, n = x.shape
    if size < 8:
        out[:] = 0.0
        for k in range(size):
            for q in range(n):
                out[q] += x[k, q]
        return
    for r in range(8):
        for q in range(n):
            acc[r, q] = x[r, q]
    k = 8
    while k < size - size % 8:
        for r in range(8):
            for q in range(n):
                acc[r, q] += x[k + r, q]
        k += 8
    for q in range(n):
        out[q] = ((acc[0, q] + acc[1, q]) + (acc[2, q] + acc[3, q])) + (
            (acc[4, q] + acc[5, q]) + (acc[6, q] + acc[7, q])
        )
    while k < size:
        for q in range(n):
            out[q] += x[k, q]
        k += 1


@njit(cache=True, nogil=True, error_model='numpy')
def gather_windows(img, r0, nr, w):
    """The valid w x w windows whose top rows are r0 .. r0 + nr - 1, as (w * w, nr * cols)
    columns with rows in MATLAB's column-major ``sub(:)`` order."""
    cols = img.shape[1] - w + 1
    out = np.empty((w * w, nr * cols))
    for k in range(w * w):
        dy, dx = k % w, k // w
        for rr in range(nr):
            for cc in range(cols):
                out[k, rr * cols + cc] = img[r0 + rr + dy, cc + dx]
    return out


@njit(cache=True, nogil=True, error_model='numpy')
def image_sides(img, r0, nr, w, reverse):
    """:func:`window_sides` of the windows of :func:`gather_windows`, with them first:
    (raw, p, stats, cdf, cdf_rev)."""
    raw = gather_windows(img, r0, nr, w)
    p, stats, cdf, cdf_rev = window_sides(raw, reverse)
    return raw, p, stats, cdf, cdf_rev


@njit(cache=True, nogil=True, error_model='numpy')
def window_sides(raw, reverse):
    """What the windows ``raw`` (l, n) contribute to every pair: the min-max normalised PDF p
    (uniform where a window is flat), its statistics (5, n) (sum, mean and population SD of the
    1-based index, squared norm of the centred PDF; the entropy row is filled by
    :func:`add_entropy`), its CDF (l + 1, n) ending in an infinite sentinel row and, with
    ``reverse``, the CDF of the reversed PDF (else an empty array)."""
    size, n = raw.shape
    lo, hi = raw[0].copy(), raw[0].copy()
    for k in range(1, size):
        for q in range(n):
            lo[q] = min(lo[q], raw[k, q])
            hi[q] = max(hi[q], raw[k, q])
    p = np.empty((size, n))
    for k in range(size):
        for q in range(n):
            p[k, q] = 1.0 if hi[q] == lo[q] else (raw[k, q] - lo[q]) / (hi[q] - lo[q])
    stats = np.empty((5, n))
    acc = np.empty((8, n))
    total = stats[SUM]
    col_sums(p, total, acc)
    for k in range(size):
        for q in range(n):
            p[k, q] /= total[q]
    col_sums(p, total, acc)
    mean, second = stats[MEAN], np.zeros(n)
    mean[:] = 0.0
    sq = np.empty((size, n))
    for k in range(size):
        for q in range(n):
            d = p[k, q] - total[q] / size
            sq[k, q] = d * d
            mean[q] += (k + 1) * p[k, q]
            second[q] += (k + 1) * (k + 1) * p[k, q]
    col_sums(sq, stats[NORM2], acc)
    for q in range(n):
        stats[SD, q] = math.sqrt(max(second[q] - mean[q] * mean[q], 0.0))
    cdf = _cumsum(p, False)
    cdf_rev = _cumsum(p, True) if reverse else np.empty((0, n))
    return p, stats, cdf, cdf_rev


@njit(cache=True, nogil=True, error_model='numpy')
def _cumsum(p, reverse):
    size, n = p.shape
    out = np.empty((size + 1, n))
    out[0] = p[size - 1] if reverse else p[0]
    for k in range(1, size):
        for q in range(n):
            out[k, q] = out[k - 1, q] + p[size - 1 - k if reverse else k, q]
    out[size] = np.inf
    return out


@njit(cache=True, nogil=True, error_model='numpy')
def add_entropy(p, log_p, stats):
    """The entropy row of ``stats``: -sum p log2 p, given ``log_p`` = log2 p, finite where
    p = 0."""
    size, n = p.shape
    terms = np.empty((size, n))
    for k in range(size):
        for q in range(n):
            terms[k, q] = p[k, q] * log_p[k, q]
    col_sums(terms, stats[ENTROPY], np.empty((8, n)))
    for q in range(n):
        stats[ENTROPY, q] = -stats[ENTROPY, q]


@njit(cache=True, nogil=True, error_model='numpy')
def staircase(cdf_f, cdf_b, p_f, p_b, log_f, log_b):
    """The cells of the comonotone coupling of the CDFs F, B of each window (columns of
    (l + 1, n) arrays ending in an infinite row): the double differences of min(F_i, B_j)
    vanish except on a monotone path of 2l - 1 cells, one per anti-diagonal; the m-th cell
    (i, j) counts the F and B breakpoints before the m-th of the merged sorted breakpoints (F
    first on ties) and has the gap to the previous breakpoint as its mass.

    Returns the cells' masses and products p_f[i] p_b[j] (2l - 1, n) (both 0 past the l x l
    grid) and per window (4, n): sum mass (i + 1), sum mass (i + 1)(j + 1) (i, j 0-based),
    sum p_f[i] p_b[j] and sum p_f[i] p_b[j] (log_f[i] + log_b[j]) over the cells.
    """
    size, n = cdf_f.shape[0] - 1, cdf_f.shape[1]
    mass = np.empty((2 * size - 1, n))
    prod = np.empty_like(mass)
    sums = np.empty((4, n))
    for q in range(n):
        i, j, prev = 0, 0, 0.0
        e_i, e_ij, s_prod, s_log = 0.0, 0.0, 0.0, 0.0
        for m in range(2 * size - 1):
            tf, tb = cdf_f[i, q], cdf_b[j, q]
            take_f = tf <= tb
            t = min(tf, tb)
            # branch-free: a cell past the grid reads the last row and is weighted 0
            inside = 1.0 if i < size and j < size else 0.0
            ic, jc = min(i, size - 1), min(j, size - 1)
            w = (t - prev) * inside
            pr = p_f[ic, q] * p_b[jc, q] * inside
            mass[m, q] = w
            prod[m, q] = pr
            w_i = w * (i + 1)
            e_i += w_i
            e_ij += w_i * (j + 1)
            s_prod += pr
            s_log += pr * (log_f[ic, q] + log_b[jc, q])
            prev = t
            i += take_f
            j += 1 - take_f
        sums[0, q], sums[1, q], sums[2, q], sums[3, q] = e_i, e_ij, s_prod, s_log
    return mass, prod, sums


@njit(cache=True, nogil=True, error_model='numpy')
def pair_masses(raw_a, p_a, log_a, st_a, cdf_a, cdf_rev_a, raw_f, p_f, log_f, st_f, cdf_f):
    """For each window pair (source a, fused f; sides from :func:`window_sides`), the joint
    PDF on the staircase and what the joint entropy owes to the rest of the grid.

    The joint PDF is coef * D + (1 - coef) fp (x) ap, D the double differences of the Frechet
    bound (upper min(F_i, A_j) where the PDFs' correlation c >= 0, lower
    max(F_i + A_j - 1, 0) where c < 0: the upper bound with A's PDF reversed). Off D's
    staircase it is the scaled product, whose entropy has a closed form. Returns (the joint on
    the staircase (2l - 1, n), its magnitude floored at the smallest normal double, -(the
    product's entropy over the grid less its staircase terms) (n,), whether the windows are
    equal (n,)); :func:`finish` takes the rest.
    """
    size, n = p_a.shape
    centred = np.empty((size, n))
    for k in range(size):
        for q in range(n):
            centred[k, q] = (p_a[k, q] - st_a[SUM, q] / size) * (p_f[k, q] - st_f[SUM, q] / size)
    s = np.empty(n)
    col_sums(centred, s, np.empty((8, n)))
    upper = np.empty(n, np.bool_)
    corr = np.empty(n)
    for q in range(n):
        corr[q] = 0.0 if s[q] == 0 else s[q] / math.sqrt(st_a[NORM2, q] * st_f[NORM2, q])
        upper[q] = corr[q] >= 0
    # B: the source's PDF, reversed where the bound is the lower one
    p_b, log_b = np.empty_like(p_a), np.empty_like(p_a)
    for k in range(size):
        for q in range(n):
            kb = k if upper[q] else size - 1 - k
            p_b[k, q] = p_a[kb, q]
            log_b[k, q] = log_a[kb, q]
    cdf_b = np.empty_like(cdf_a)
    for k in range(size + 1):
        for q in range(n):
            cdf_b[k, q] = cdf_a[k, q] if upper[q] else cdf_rev_a[k, q]
    mass, prod, sums = staircase(cdf_f, cdf_b, p_f, p_b, log_f, log_b)
    equal = np.ones(n, np.bool_)
    for k in range(size):
        for q in range(n):
            equal[q] &= raw_a[k, q] == raw_f[k, q]
    # covariance of the indices under the bound: E[IJ] - E[I] E[J] (a reversed row j has
    # index l - j); the ratio of the correlation to the bound's is the mixing coefficient
    partial, coef, k_pair = np.empty(n), np.empty(n), np.empty(n)
    for q in range(n):
        c = corr[q]
        e_i, e_ij = sums[0, q], sums[1, q]
        e = e_ij if upper[q] else (size + 1) * e_i - e_ij
        cov = e - st_f[MEAN, q] * st_a[MEAN, q]
        degenerate = st_a[SD, q] == 0 or st_f[SD, q] == 0 or (upper[q] and c == 0)
        coef[q] = 0.0 if degenerate else c / (cov / (st_f[SD, q] * st_a[SD, q]))
        kq = 1 - coef[q]
        k_pair[q] = kq
        log_k = math.log2(abs(kq)) if kq != 0 else 0.0
        sf, sa = st_f[SUM, q], st_a[SUM, q]
        # the product k fp_i ap_j over all cells: -k (Sf Sa log2|k| - Sa Hf - Sf Ha), less its
        # staircase terms k fp_i ap_j log2|k fp_i ap_j| (the log of a product: sum of logs;
        # a zero PDF value has a finite log, so its zero product adds 0)
        partial[q] = -kq * (sf * sa * log_k - sa * st_f[ENTROPY, q] - sf * st_a[ENTROPY, q])
        partial[q] += kq * (log_k * sums[2, q] + sums[3, q])
    magnitude = np.empty_like(mass)
    for m in range(2 * size - 1):
        for q in range(n):
            joint = mass[m, q] * coef[q] + prod[m, q] * k_pair[q]
            mass[m, q] = joint
            magnitude[m, q] = max(abs(joint), TINY)
    return mass, magnitude, partial, equal


@njit(cache=True, nogil=True, error_model='numpy')
def finish(joint, log_joint, partial, h_a, h_f, equal):
    """Per window the normalised MI 2 I / (H_a + H_f), I = H_a + H_f - H_joint, from the joint
    on the staircase, log2 of its magnitude, the rest of -H_joint (:func:`pair_masses`) and
    the two entropies; 1 where the windows are equal, 0 where I or H_a + H_f is 0."""
    steps, n = joint.shape
    terms = np.zeros(n)
    for m in range(steps):
        for q in range(n):
            terms[q] += joint[m, q] * log_joint[m, q]
    out = np.empty(n)
    for q in range(n):
        mi = h_a[q] + h_f[q] - (partial[q] - terms[q])
        if equal[q]:
            out[q] = 1.0
        elif mi == 0 or h_a[q] + h_f[q] == 0:
            out[q] = 0.0
        else:
            out[q] = 2 * mi / (h_a[q] + h_f[q])
    return out
