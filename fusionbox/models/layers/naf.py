"""NAFNet-style convolutional branch: SimpleGate and simplified channel attention.

Paper: Simple Baselines for Image Restoration (Chen, Chu, Zhang & Sun, ECCV 2022).
Ref: https://github.com/megvii-research/NAFNet (``NAFBlock``, first half).
"""

from __future__ import annotations

import torch
import torch.nn as nn


class SimpleGate(nn.Module):
    """Split the channels in two halves and multiply them: (B, 2C, H, W) -> (B, C, H, W)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return a * b


class NAFConvBlock(nn.Module):
    """The spatial half of a NAFNet block, without its norm and residual.

    ``1x1 conv (C -> eC) -> 3x3 depthwise conv -> SimpleGate (eC/2) -> x * SCA(x) -> 1x1 conv
    (-> C)``, with SCA the simplified channel attention ``conv1x1(avgpool(x))``. The caller
    normalises the input and adds the residual (gated, in :class:`MoEDiTBlock`).

    Args:
        dim (int): Channels C in and out.
        expand (int): Expansion e of the depthwise stage (even). Defaults to 2.
    """

    def __init__(self, dim: int, expand: int = 2) -> None:
        super().__init__()
        hidden = dim * expand
        self.conv1 = nn.Conv2d(dim, hidden, 1)
        self.dwconv = nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden)
        self.gate = SimpleGate()
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(hidden // 2, hidden // 2, 1))
        self.conv3 = nn.Conv2d(hidden // 2, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        h = self.gate(self.dwconv(self.conv1(x)))  # (B, eC/2, H, W)
        h = h * self.sca(h)
        return self.conv3(h)
