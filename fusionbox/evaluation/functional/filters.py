"""Separable and FFT filtering shared by the metric families (MATLAB semantics where named)."""
from __future__ import annotations

import os

import numpy as np
from scipy import ndimage

SOBEL_X = np.array([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]])  # responds to d/dx
SOBEL_Y = np.array([[1., 2., 1.], [0., 0., 0.], [-1., -2., -1.]])  # Tang / Xydeas 'h1'


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian; its outer product is MATLAB's ``fspecial('gaussian')``."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum()


_POOL = None


def _pool():
    """A small thread pool (SciPy's filters release the GIL), created on first use."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor
        _POOL = ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1)))
    return _POOL


def _valid_2d(img: np.ndarray, k1d: np.ndarray, transposed: bool) -> np.ndarray:
    # filtering along the contiguous axis is about twice as fast, so filter rows, transpose,
    # filter rows again (the result comes out transposed)
    r = len(k1d) // 2
    out = ndimage.correlate1d(img, k1d, axis=1, mode='constant')[:, r:img.shape[1] - r]
    out = np.ascontiguousarray(out.T)
    out = ndimage.correlate1d(out, k1d, axis=1, mode='constant')[:, r:img.shape[0] - r]
    return out if transposed else np.ascontiguousarray(out.T)


def filter_valid(img: np.ndarray, k1d: np.ndarray, transposed: bool = False) -> np.ndarray:
    """``filter2(k1d' * k1d, img, 'valid')`` computed separably (odd kernels); ``img`` may be
    (H, W) or a batch (B, H, W), filtered on a thread pool. With ``transposed=True`` the
    result is returned transposed (faster; for callers that only reduce over pixels)."""
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 2:
        return _valid_2d(img, k1d, transposed)
    return np.stack(list(_pool().map(lambda x: _valid_2d(x, k1d, transposed), img)))


def conv2_matlab(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """MATLAB ``conv2(img, kernel, 'same')`` for 3x3 kernels, accumulating the shifted images
    in MATLAB's order (kernel entries column by column). The order matters on non-integer
    images: it decides which near-zero responses come out exactly 0 (Qabf's orientation
    takes pi/2 there), so Tang's Qabf is reproduced to 1e-15 only in this order."""
    h, w = img.shape
    p = np.pad(img, 1)
    out = np.zeros_like(img)
    for b in range(3):
        for a in range(3):
            if kernel[a, b] != 0:
                out = out + kernel[a, b].astype(img.dtype) * p[2 - a:2 - a + h, 2 - b:2 - b + w]
    return out


def filter_same(img: np.ndarray, kernel: np.ndarray, mode: str = 'constant') -> np.ndarray:
    """``filter2(kernel, img, 'same')`` (correlation, zero padding) or ``imfilter`` with
    ``mode='nearest'`` (MATLAB 'replicate')."""
    return ndimage.correlate(np.asarray(img, dtype=np.float64), kernel, mode=mode, cval=0.0)


def conv2_same(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """MATLAB/SciPy ``conv2(img, kernel, 'same')`` for odd kernels (true convolution)."""
    return ndimage.convolve(img, kernel, mode='constant', cval=0.0)


def freqspace_radius(shape, scale_rows: float, scale_cols: float) -> np.ndarray:
    """Radius of MATLAB's ``freqspace(shape, 'meshgrid')`` grid scaled per axis (centred)."""
    h, w = shape
    f1 = (np.arange(w) - np.floor(w / 2)) * (2.0 / w) * scale_cols
    f2 = (np.arange(h) - np.floor(h / 2)) * (2.0 / h) * scale_rows
    return np.sqrt(f1[None, :] ** 2 + f2[:, None] ** 2)


def fft_filter_centered(img: np.ndarray, response: np.ndarray) -> np.ndarray:
    """``ifft2(ifftshift(fftshift(fft2(img)) .* response))`` (complex, as MATLAB keeps it)."""
    return np.fft.ifft2(np.fft.fft2(img) * np.fft.ifftshift(response))


def block_reduce_sum(x: np.ndarray, block: int) -> np.ndarray:
    """MATLAB ``blkproc(x, [b b], @(v) sum(v(:)))`` (zero padding of partial blocks)."""
    h, w = x.shape
    ph, pw = -h % block, -w % block
    x = np.pad(x, ((0, ph), (0, pw)))
    return x.reshape(x.shape[0] // block, block, x.shape[1] // block, block).sum(axis=(1, 3))
