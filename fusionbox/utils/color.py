"""Colour handling as the fusion field does it: fuse the luma (Y), carry the chroma (Cb, Cr).

Full-range ITU-R BT.601 (the JPEG / OpenCV ``COLOR_RGB2YCrCb`` convention) on values in [0, 1].
Works on numpy arrays ``(..., H, W, 3)`` (channel last) and torch tensors ``(..., 3, H, W)``
(channel first); the layout follows the type.

Ref: ITU-R BT.601; chroma rule of DenseFuse/U2Fusion code (weights |C - 0.5|).
"""

from __future__ import annotations

import numpy as np
import torch

_RGB_TO_YCBCR = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR)
_OFFSET = np.array([0.0, 0.5, 0.5])


def rgb_to_ycbcr(image):
    """RGB in [0, 1] to YCbCr in [0, 1] (numpy: channel last; torch: channel first)."""
    if isinstance(image, torch.Tensor):
        m = torch.as_tensor(_RGB_TO_YCBCR, dtype=image.dtype, device=image.device)
        off = torch.as_tensor(_OFFSET, dtype=image.dtype, device=image.device)
        return torch.einsum('ij,...jhw->...ihw', m, image) + off[:, None, None]
    image = np.asarray(image, dtype=np.float64)
    return image @ _RGB_TO_YCBCR.T + _OFFSET


def ycbcr_to_rgb(image):
    """YCbCr in [0, 1] to RGB in [0, 1], clipped (numpy: channel last; torch: channel first)."""
    if isinstance(image, torch.Tensor):
        m = torch.as_tensor(_YCBCR_TO_RGB, dtype=image.dtype, device=image.device)
        off = torch.as_tensor(_OFFSET, dtype=image.dtype, device=image.device)
        return torch.einsum('ij,...jhw->...ihw', m, image - off[:, None, None]).clamp(0, 1)
    image = np.asarray(image, dtype=np.float64)
    return np.clip((image - _OFFSET) @ _YCBCR_TO_RGB.T, 0.0, 1.0)


def fuse_chroma(chromas: list, eps: float = 1e-6) -> np.ndarray:
    """Fuse the (H, W, 2) Cb/Cr planes of several colour sources, weighting by |C - 0.5|.

    One colour source gives its own chroma back; grey sources should not be passed.
    """
    stack = np.stack([np.asarray(c, dtype=np.float64) for c in chromas])  # (K, H, W, 2)
    weight = np.abs(stack - 0.5)
    total = weight.sum(0)
    fused = (stack * weight).sum(0) / np.maximum(total, eps)
    return np.where(total > eps, fused, 0.5)
