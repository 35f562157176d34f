"""Array operations shared by the priors and the Fusion Refiner (vectorised numpy / OpenCV).

Conventions: images are float32 arrays in [0, 1]; a stack of N grey sources is ``(N, H, W)``;
a source as loaded is ``(H, W, C)`` with C = 1 or 3 (RGB order).
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import cv2
import numpy as np

from fusionbox.utils.color import fuse_chroma, rgb_to_ycbcr, ycbcr_to_rgb

_BORDER = cv2.BORDER_REFLECT


# --- colour -----------------------------------------------------------------------------------
def is_colour(image: np.ndarray, tol: float = 1.0 / 255) -> bool:
    """True for a 3-channel image whose channels differ (grey stored as RGB is not colour)."""
    if image.ndim != 3 or image.shape[2] != 3:
        return False
    return bool(
        np.abs(image[..., 0] - image[..., 1]).max() > tol
        or np.abs(image[..., 0] - image[..., 2]).max() > tol
    )


def to_luma(image: np.ndarray) -> np.ndarray:
    """(H, W) luma of an (H, W), (H, W, 1) or (H, W, 3) RGB image in [0, 1]."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[..., 0]
    if not is_colour(image):
        return image[..., 0]
    return rgb_to_ycbcr(image)[..., 0].astype(np.float32)


def split_luma(sources: Sequence[np.ndarray]) -> Tuple[np.ndarray, np.ndarray | None]:
    """Lumas ``(N, H, W)`` of the sources and the fused chroma ``(H, W, 2)`` of the colour ones
    (None when every source is grey)."""
    lumas = np.stack([to_luma(s) for s in sources])  # (N, H, W)
    chromas = [rgb_to_ycbcr(s)[..., 1:] for s in sources if is_colour(np.asarray(s))]
    chroma = fuse_chroma(chromas).astype(np.float32) if chromas else None
    return lumas, chroma


def recompose(luma: np.ndarray, chroma: np.ndarray | None) -> np.ndarray:
    """(H, W) grey, or (H, W, 3) RGB when ``chroma`` is given; values in [0, 1]."""
    luma = np.clip(luma, 0, 1).astype(np.float32)
    if chroma is None:
        return luma
    return ycbcr_to_rgb(np.concatenate([luma[..., None], chroma], axis=-1)).astype(np.float32)


# --- filters ----------------------------------------------------------------------------------
def box(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window (reflected borders)."""
    return cv2.boxFilter(np.asarray(x, np.float32), -1, (2 * r + 1, 2 * r + 1), borderType=_BORDER)


def gaussian(x: np.ndarray, sigma: float, r: int | None = None) -> np.ndarray:
    """Gaussian blur with standard deviation ``sigma`` (window 2r+1, default r = 3 sigma)."""
    r = int(np.ceil(3 * sigma)) if r is None else r
    return cv2.GaussianBlur(
        np.asarray(x, np.float32), (2 * r + 1, 2 * r + 1), sigma, borderType=_BORDER
    )


def laplacian(x: np.ndarray) -> np.ndarray:
    """3x3 Laplacian."""
    return cv2.Laplacian(np.asarray(x, np.float32), cv2.CV_32F, ksize=1, borderType=_BORDER)


def guided_filter(guide: np.ndarray, src: np.ndarray, r: int, eps: float) -> np.ndarray:
    """Grey guided filter (He, Sun, Tang, TPAMI 2013) of ``src`` guided by ``guide``."""
    guide = np.asarray(guide, np.float32)
    src = np.asarray(src, np.float32)
    mean_i, mean_p = box(guide, r), box(src, r)
    cov_ip = box(guide * src, r) - mean_i * mean_p
    var_i = box(guide * guide, r) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box(a, r) * guide + box(b, r)


def local_std(x: np.ndarray, r: int) -> np.ndarray:
    """Standard deviation over a (2r+1)^2 window."""
    m = box(x, r)
    return np.sqrt(np.maximum(box(x * x, r) - m * m, 0))


def noise_sigma(x: np.ndarray) -> float:
    """Gaussian noise standard deviation of an image (Immerkaer, CVIU 1996), in image units."""
    x = np.asarray(x, np.float64)
    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)
    conv = cv2.filter2D(x, -1, k, borderType=_BORDER)[1:-1, 1:-1]
    h, w = conv.shape
    return float(np.sqrt(np.pi / 2) * np.abs(conv).sum() / (6.0 * max(h * w, 1)))


# --- pyramids -----------------------------------------------------------------------------------
def pyramid_depth(shape: Sequence[int], levels: int, smallest: int = 8) -> int:
    """At most ``levels`` levels, stopping before a side would fall below ``smallest``."""
    side = min(shape[-2:])
    depth = 1
    while depth < levels and side // (2**depth) >= smallest:
        depth += 1
    return depth


def gaussian_pyramid(x: np.ndarray, depth: int) -> List[np.ndarray]:
    pyr = [np.asarray(x, np.float32)]
    for _ in range(depth - 1):
        pyr.append(cv2.pyrDown(pyr[-1]))
    return pyr


def laplacian_pyramid(x: np.ndarray, depth: int) -> List[np.ndarray]:
    """Band-pass levels (fine to coarse) and the low-pass residual last."""
    gauss = gaussian_pyramid(x, depth)
    pyr = []
    for fine, coarse in zip(gauss[:-1], gauss[1:]):
        up = cv2.pyrUp(coarse, dstsize=(fine.shape[1], fine.shape[0]))
        pyr.append(fine - up)
    pyr.append(gauss[-1])
    return pyr


def collapse_pyramid(pyr: Sequence[np.ndarray]) -> np.ndarray:
    out = pyr[-1]
    for band in reversed(pyr[:-1]):
        out = cv2.pyrUp(out, dstsize=(band.shape[1], band.shape[0])) + band
    return out


def weighted_argmax(weights: np.ndarray) -> np.ndarray:
    """One-hot ``(N, H, W)`` float32 map of the per-pixel argmax over the first axis."""
    idx = np.argmax(weights, axis=0)
    return (np.arange(weights.shape[0])[:, None, None] == idx[None]).astype(np.float32)


def normalise_weights(weights: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Weights ``(N, H, W)`` summing to one per pixel (uniform where all are zero)."""
    weights = np.maximum(weights, 0)
    total = weights.sum(0, keepdims=True)
    n = weights.shape[0]
    return np.where(total > eps, weights / np.maximum(total, eps), 1.0 / n).astype(np.float32)
