"""Compiled separable filtering of float64 images with OpenCV's arithmetic (see
:func:`.filters.sep_filter_same`).

Imported lazily (importing numba costs ~0.2 s); compiled on first use and cached on disk.
OpenCV's ``sepFilter2D`` on float64 with a symmetric kernel (as dispatched on x86-64 CPUs with
AVX2 and FMA) filters each row, s = k_0 x_0 then s = fma(k_t, x_t, s) for t = 1 .. n - 1, then
each column of that, s = k_r y_0 + 0 then s = fma(k_{r+t}, y_t + y_{-t}, s) for t = 1 .. r,
with zeros outside the image ('same', BORDER_CONSTANT). These passes do exactly that (fused
multiply-adds through LLVM's ``fma``), vectorised along the rows, and only at the output
pixels asked for (a valid region, every other pixel), so the values are OpenCV's bit for bit
(tested) at a fraction of the work. They release the GIL.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with one rounding (LLVM ``llvm.fma.f64``)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic('llvm.fma', [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


@njit(cache=True, nogil=True)
def odd_symmetric(k):
    """Whether the kernel has an odd length and equals its reverse."""
    n = k.shape[0]
    if n % 2 == 0:
        return False
    for t in range(n // 2):
        if k[t] != k[n - 1 - t]:
            return False
    return True


@njit(cache=True, nogil=True, error_model='numpy')
def _row(line, k, start, acc):
    """acc[j] = sum_t k_t line[start + j + t]: k_0 x_0, then fma(k_t, x_t, .) in order
    (vectorised over j)."""
    n, m = k.shape[0], acc.shape[0]
    src = line[start : start + m]
    for j in range(m):
        acc[j] = k[0] * src[j]
    for t in range(1, n):
        kt = k[t]
        src = line[start + t : start + t + m]
        for j in range(m):
            acc[j] = fma(kt, src[j], acc[j])


@njit(cache=True, nogil=True, error_model='numpy')
def sep_filter(img, k, top, left, step, out):
    """``out[i, j]`` = the 'same' (zero-padded) separable filter of ``img`` (float64 (H, W))
    by the odd symmetric kernel ``k`` at pixel (top + step i, left + step j)."""
    rows, cols = img.shape
    n = k.shape[0]
    r = n // 2
    out_rows, out_cols = out.shape
    if out_rows == 0 or out_cols == 0:
        return
    lo = top - r  # first image row the columns need
    tmp = np.zeros((step * (out_rows - 1) + n, out_cols))  # rows outside the image stay 0
    line = np.zeros(cols + n - 1)  # one image row, zero-padded by r on both sides
    full = np.empty(step * (out_cols - 1) + 1)  # with step > 1: the row pass at every pixel
    for y in range(max(lo, 0), min(lo + tmp.shape[0], rows)):
        line[r : r + cols] = img[y]
        if step == 1:
            _row(line, k, left, tmp[y - lo])
            continue
        _row(line, k, left, full)
        acc = tmp[y - lo]
        for j in range(out_cols):
            acc[j] = full[step * j]
    kr = k[r]
    for i in range(out_rows):
        c = step * i + r  # the centre row in tmp
        dst, mid = out[i], tmp[c]
        for j in range(out_cols):
            dst[j] = kr * mid[j] + 0.0
        for t in range(1, r + 1):
            kt, below, above = k[r + t], tmp[c + t], tmp[c - t]
            for j in range(out_cols):
                dst[j] = fma(kt, below[j] + above[j], dst[j])
