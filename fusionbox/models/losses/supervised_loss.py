"""Supervised loss against a reference (ground truth or pseudo-label), only where one exists."""

from __future__ import annotations

import torch
import torch.nn as nn

from fusionbox.registry import LOSSES

from .functional import ssim


@LOSSES.register_module()
class SupervisedLoss(nn.Module):
    """``loss_weight * (L1(F, T) + ssim_weight * (1 - SSIM(F, T)))`` over the samples with a target.

    Samples whose ``valid`` flag is False do not contribute (neither to the sum nor to the count);
    a batch without any target gives a zero that keeps the graph.

    Args:
        loss_weight (float): Global weight. Defaults to 1.
        ssim_weight (float): Weight of the SSIM term (0 turns it off). Defaults to 0.
        window_size (int): SSIM Gaussian window size. Defaults to 11.
        sigma (float): SSIM Gaussian window sigma. Defaults to 1.5.
        loss_name (str): Key in the loss dict. Defaults to 'loss_supervised'.
    """

    def __init__(
        self,
        loss_weight: float = 1.0,
        ssim_weight: float = 0.0,
        window_size: int = 11,
        sigma: float = 1.5,
        loss_name: str = 'loss_supervised',
    ) -> None:
        super().__init__()
        if 'loss' not in loss_name:
            raise ValueError(f"loss_name must contain 'loss' (MMEngine sums those): {loss_name}")
        self.loss_weight = loss_weight
        self.ssim_weight = ssim_weight
        self.window_size = window_size
        self.sigma = sigma
        self.loss_name = loss_name

    def per_sample(self, fused: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss per sample (B,) of fused and target (B, C, H, W)."""
        value = (fused - target).abs().flatten(1).mean(1)
        if self.ssim_weight:
            value = value + self.ssim_weight * (
                1 - ssim(fused, target, self.window_size, self.sigma)
            )
        return value  # (B,)

    def forward(
        self, fused: torch.Tensor, target: torch.Tensor, valid: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Scalar loss; ``valid`` (B,) bool marks the samples that have a target (None: all)."""
        if valid is None:
            return self.loss_weight * self.per_sample(fused, target).mean()
        if not valid.any():
            return fused.sum() * 0.0
        value = self.per_sample(fused[valid], target[valid])
        return self.loss_weight * value.mean()
