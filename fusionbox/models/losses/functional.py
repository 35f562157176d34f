"""Image operators shared by the fusion losses (per-sample values, no reduction over the batch)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

_SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def sobel_magnitude(x: torch.Tensor) -> torch.Tensor:
    """Sobel gradient magnitude ``|Gx| + |Gy|`` of (B, C, H, W), per channel, same size.

    The L1 form of the magnitude (as in SeAFusion's and U2Fusion's code) has a gradient
    everywhere; borders are replicate-padded so a constant image has zero gradient.
    """
    c = x.shape[1]
    kx = _SOBEL_X.to(x)
    kernel = torch.stack([kx, kx.t()])[:, None].repeat(c, 1, 1, 1)  # (2C, 1, 3, 3)
    g = F.conv2d(F.pad(x, (1, 1, 1, 1), mode='replicate'), kernel, groups=c)  # (B, 2C, H, W)
    return g.abs().unflatten(1, (c, 2)).sum(2)  # (B, C, H, W)


def gaussian_window(size: int, sigma: float, device=None, dtype=None) -> torch.Tensor:
    """Normalised 1-D Gaussian (size,)."""
    coords = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2
    g = torch.exp(-(coords**2) / (2 * sigma**2))
    return g / g.sum()


def _blur(x: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Separable 'valid' Gaussian filtering of (B, C, H, W)."""
    c, k = x.shape[1], window.numel()
    x = F.conv2d(x, window.view(1, 1, k, 1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, window.view(1, 1, 1, k).repeat(c, 1, 1, 1), groups=c)


def ssim(
    x: torch.Tensor,
    y: torch.Tensor,
    window_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
) -> torch.Tensor:
    """Mean SSIM per sample (B,) of two (B, C, H, W) images, Gaussian window, 'valid' borders.

    The window shrinks (kept odd) when an image is smaller than it.

    Paper: Image quality assessment: from error visibility to structural similarity
        (Wang et al., TIP 2004).
    """
    size = min(window_size, x.shape[-2], x.shape[-1])
    size -= 1 - size % 2
    window = gaussian_window(size, sigma, device=x.device, dtype=x.dtype)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = _blur(x, window), _blur(y, window)
    var_x = _blur(x * x, window) - mu_x**2
    var_y = _blur(y * y, window) - mu_y**2
    cov = _blur(x * y, window) - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * cov + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    return (num / den).flatten(1).mean(1)  # (B,)
