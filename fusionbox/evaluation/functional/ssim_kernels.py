"""Compiled passes of scikit-image 0.19's SSIM on float32 images (the ``cddfuse`` protocol; see
:func:`.similarity.ssim_skimage019`).

Imported lazily (importing numba costs ~0.2 s); compiled on first use and cached on disk. Each
pass does NumPy's and SciPy's operations in their order and dtypes, so the values are theirs
exactly (tested), in one pass instead of one per operation. They release the GIL.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _reflect(i, n):
    """Index of the extended position ``i`` in a line of ``n`` ('reflect': d c b a | a b c d)."""
    if n == 1:
        return 0
    while i < 0 or i >= n:
        i = -i - 1 if i < 0 else 2 * n - i - 1
    return i


@njit(cache=True, nogil=True, error_model='numpy')
def uniform_filter(x, size, out):
    """``out = scipy.ndimage.uniform_filter(x, size)`` (mode 'reflect', origin 0) for a float32
    (H, W) ``x`` (``out`` float32 (H, W), not ``x``): SciPy's ``NI_UniformFilter1D`` per axis,
    down the columns first, a running sum in double updated by (entering - leaving), divided
    by the size and stored as float32."""
    rows, cols = x.shape
    before = size // 2
    fsize = float(size)
    tmp = np.empty((rows, cols), np.float32)  # along axis 0, all columns at once
    acc = np.zeros(cols)
    for k in range(size):
        r = _reflect(k - before, rows)
        for c in range(cols):
            acc[c] += x[r, c]
    for c in range(cols):
        tmp[0, c] = acc[c] / fsize
    for i in range(1, rows):
        r_in, r_out = _reflect(i + size - 1 - before, rows), _reflect(i - 1 - before, rows)
        for c in range(cols):
            acc[c] += np.float64(x[r_in, c]) - np.float64(x[r_out, c])
            tmp[i, c] = acc[c] / fsize
    line = np.empty(cols + size - 1)  # along axis 1, from the float32 result
    for i in range(rows):
        for k in range(cols + size - 1):
            line[k] = tmp[i, _reflect(k - before, cols)]
        s = 0.0
        for k in range(size):
            s += line[k]
        out[i, 0] = s / fsize
        for j in range(1, cols):
            s += line[j + size - 1] - line[j - 1]
            out[i, j] = s / fsize


@njit(cache=True, nogil=True, error_model='numpy')
def ssim_map(ux, ux2, vx, uy, uy2, vy, uxy, cov_norm, c1, c2, out):
    """scikit-image 0.19's SSIM map in float32 from the local means u, squared means u2 and
    variances v of x and y and the local mean of x y (all float32 (H, W); the scalars
    float32): ((2 ux uy + c1)(2 vxy + c2)) / ((ux2 + uy2 + c1)(vx + vy + c2)),
    vxy = (uxy - ux uy) cov_norm, each operation rounded to float32 in its order."""
    two = np.float32(2)
    rows, cols = ux.shape
    for i in range(rows):
        for j in range(cols):
            vxy = (uxy[i, j] - ux[i, j] * uy[i, j]) * cov_norm
            a1 = two * ux[i, j] * uy[i, j] + c1
            a2 = vxy * two + c2
            b1 = ux2[i, j] + uy2[i, j] + c1
            b2 = vx[i, j] + vy[i, j] + c2
            out[i, j] = a1 * a2 / (b1 * b2)
