"""Gradient loss: the fused image keeps the strongest edges of its sources."""

from __future__ import annotations

import torch

from fusionbox.registry import LOSSES

from .base_fusion_loss import BaseFusionLoss
from .functional import sobel_magnitude


@LOSSES.register_module()
class GradientLoss(BaseFusionLoss):
    """L1 between ``|grad F|`` and the elementwise max over the sources of ``|grad S_i|``.

    Gradients are Sobel magnitudes ``|Gx| + |Gy|`` (see :func:`.functional.sobel_magnitude`).

    Paper: SeAFusion (Tang et al., Information Fusion 2022), texture loss.

    Args:
        **kwargs: ``loss_weight``, ``task_weights``, ``loss_name`` of :class:`BaseFusionLoss`.
    """

    default_name = 'loss_gradient'

    def per_sample(
        self, fused: torch.Tensor, sources: torch.Tensor, task: torch.Tensor
    ) -> torch.Tensor:
        grad_src = sobel_magnitude(sources.flatten(0, 1)).unflatten(0, sources.shape[:2])
        target = grad_src.amax(1)  # (B, C, H, W)
        return (sobel_magnitude(fused) - target).abs().flatten(1).mean(1)  # (B,)
