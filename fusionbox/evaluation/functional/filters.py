"""Separable and FFT filtering shared by the metric families (MATLAB semantics where named)."""

from __future__ import annotations

import cv2
import numpy as np
from scipy import fft as scipy_fft
from scipy import ndimage

from .cache import cached

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # responds to d/dx
SOBEL_Y = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])  # Tang / Xydeas 'h1'


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian; its outer product is MATLAB's ``fspecial('gaussian')``."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum()


def is_integer_valued(img: np.ndarray) -> bool:
    """True when every value is an integer (then 3x3 integer filters and box sums are exact in
    any accumulation order, so the fast OpenCV paths give bit-identical results)."""
    img = np.asarray(img)
    if img.dtype.kind in 'iub':
        return True
    return bool(np.array_equal(img, np.rint(img)))


def _sep_filter(img, k1d, top: int, step: int, shape) -> np.ndarray:
    from . import filter_kernels  # numba: imported on first use

    k = np.ascontiguousarray(k1d, dtype=np.float64)
    if k.ndim != 1 or not filter_kernels.odd_symmetric(k):
        raise ValueError(f'separable filtering needs an odd symmetric 1-D kernel, got {k1d!r}')
    out = np.empty(shape)
    filter_kernels.sep_filter(np.ascontiguousarray(img, dtype=np.float64), k, top, top, step, out)
    return out


def sep_filter_same(img: np.ndarray, k1d: np.ndarray) -> np.ndarray:
    """``filter2(k1d' * k1d, img, 'same')`` with zero padding for a float64 (H, W) image and an
    odd symmetric kernel: OpenCV's ``sepFilter2D`` arithmetic, bit for bit, compiled
    (:mod:`.filter_kernels`)."""
    return _sep_filter(img, k1d, 0, 1, np.shape(img))


def sep_filter_valid(img: np.ndarray, k1d: np.ndarray, step: int = 1) -> np.ndarray:
    """``filter2(k1d' * k1d, img, 'valid')[::step, ::step]``: :func:`sep_filter_same` without
    the ``r`` border pixels, computed only where it is kept."""
    r = len(k1d) // 2
    h, w = (max(n - 2 * r, 0) for n in np.shape(img))
    return _sep_filter(img, k1d, r, step, (-(-h // step), -(-w // step)))


def filter_valid(img: np.ndarray, k1d: np.ndarray, transposed: bool = False) -> np.ndarray:
    """``filter2(k1d' * k1d, img, 'valid')`` computed separably (odd symmetric kernels); ``img``
    may be (H, W) or a batch (B, H, W). With ``transposed=True`` the result is returned
    transposed (kept for callers that only reduce over pixels)."""
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 2:
        out = sep_filter_valid(img, k1d)
        return out.T if transposed else out
    out = np.stack([sep_filter_valid(x, k1d) for x in img])
    return out.transpose(0, 2, 1) if transposed else out


def sobel_same(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """MATLAB/SciPy ``conv2(img, kernel, 'same')`` for a 3x3 integer kernel, in img's dtype.
    Integer-valued images use OpenCV (exact in any order); others :func:`conv2_matlab`."""
    if img.dtype in (np.float32, np.float64) and cached(
        'integer', (img,), lambda: is_integer_valued(img)
    ):
        k = np.ascontiguousarray(kernel[::-1, ::-1]).astype(img.dtype)
        return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_CONSTANT)
    return conv2_matlab(img, kernel)


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
                out = out + kernel[a, b].astype(img.dtype) * p[2 - a : 2 - a + h, 2 - b : 2 - b + w]
    return out


_CV_BORDERS = {'constant': cv2.BORDER_CONSTANT, 'nearest': cv2.BORDER_REPLICATE}


def filter_same(img: np.ndarray, kernel: np.ndarray, mode: str = 'constant') -> np.ndarray:
    """``filter2(kernel, img, 'same')`` (correlation, zero padding) or ``imfilter`` with
    ``mode='nearest'`` (MATLAB 'replicate'). A 3x3 kernel of multiples of 1/8 on an
    integer-valued image is exact in any order, so OpenCV computes it (same values)."""
    img = np.asarray(img, dtype=np.float64)
    k8 = np.asarray(kernel) * 8
    if (
        k8.shape == (3, 3)
        and np.array_equal(k8, np.rint(k8))
        and np.abs(img).max(initial=0) < 2**40
        and cached('integer', (img,), lambda: is_integer_valued(img))
    ):
        return cv2.filter2D(img, -1, np.asarray(kernel, np.float64), borderType=_CV_BORDERS[mode])
    return ndimage.correlate(img, kernel, mode=mode, cval=0.0)


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
    return scipy_fft.ifft2(scipy_fft.fft2(img) * np.fft.ifftshift(response))


def even_half_response(response: np.ndarray) -> np.ndarray:
    """The half spectrum (``rfft2`` layout) of a centred response that is even about the
    centre (a function of a :func:`freqspace_radius`), for :func:`fft_filter_even`."""
    shifted = np.fft.ifftshift(response)
    mirror = np.roll(shifted[::-1, ::-1], (1, 1), axis=(0, 1))  # response at -k
    if not np.array_equal(shifted, mirror):
        raise ValueError('fft_filter_even needs a response that is even about the centre')
    half = np.ascontiguousarray(shifted[:, : shifted.shape[1] // 2 + 1])
    half.setflags(write=False)
    return half


def fft_filter_even(img: np.ndarray, response: np.ndarray, half: np.ndarray = None) -> np.ndarray:
    """:func:`fft_filter_centered` for a real image and a real response that is even about the
    centre: the product is then Hermitian, so the result is real (MATLAB's imaginary part is
    rounding, ~1e-16 of the real one) and computed with real FFTs. ``half`` is
    :func:`even_half_response` of ``response``, if already made."""
    img = np.asarray(img, dtype=np.float64)
    half = even_half_response(response) if half is None else half
    spec = scipy_fft.rfft2(img)
    spec *= half
    return scipy_fft.irfft2(spec, s=img.shape)


def block_reduce_sum(x: np.ndarray, block: int) -> np.ndarray:
    """MATLAB ``blkproc(x, [b b], @(v) sum(v(:)))`` (zero padding of partial blocks)."""
    h, w = x.shape
    ph, pw = -h % block, -w % block
    x = np.pad(x, ((0, ph), (0, pw)))
    return x.reshape(x.shape[0] // block, block, x.shape[1] // block, block).sum(axis=(1, 3))
