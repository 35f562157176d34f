"""Structural loss: the fused image is structurally similar to each of its sources."""

from __future__ import annotations

from typing import Sequence

import torch

from fusionbox.registry import LOSSES

from .base_fusion_loss import BaseFusionLoss
from .functional import ssim


@LOSSES.register_module()
class SSIMLoss(BaseFusionLoss):
    """``sum_i w_i (1 - SSIM(F, S_i))`` with weights ``w_i`` summing to 1.

    Args:
        source_weights (str | Sequence[float]): ``'mean'`` (equal weights), ``'std'`` (each
            source weighted by its standard deviation, so the more informative source counts
            more, as in U2Fusion's information-driven weights) or explicit weights, one per source.
            Defaults to 'mean'.
        window_size (int): Gaussian window size. Defaults to 11.
        sigma (float): Gaussian window sigma. Defaults to 1.5.
        **kwargs: ``loss_weight``, ``task_weights``, ``loss_name`` of :class:`BaseFusionLoss`.

    Paper: Image quality assessment: from error visibility to structural similarity
        (Wang et al., TIP 2004); used as a fusion loss by U2Fusion (Xu et al., TPAMI 2020).
    """

    default_name = 'loss_ssim'

    def __init__(
        self,
        source_weights: str | Sequence[float] = 'mean',
        window_size: int = 11,
        sigma: float = 1.5,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(source_weights, str) and source_weights not in ('mean', 'std'):
            raise ValueError(f"source_weights must be 'mean', 'std' or a list: {source_weights!r}")
        self.source_weights = source_weights
        self.window_size = window_size
        self.sigma = sigma

    def weights(self, sources: torch.Tensor) -> torch.Tensor:
        """Source weights (B, N) for sources (B, N, C, H, W), each row summing to 1."""
        b, n = sources.shape[:2]
        if self.source_weights == 'mean':
            return sources.new_full((b, n), 1.0 / n)
        if self.source_weights == 'std':
            std = sources.flatten(2).std(2) + 1e-6  # (B, N)
            return std / std.sum(1, keepdim=True)
        w = torch.as_tensor(self.source_weights, dtype=sources.dtype, device=sources.device)
        if w.numel() != n:
            raise ValueError(f'SSIMLoss has {w.numel()} source weights for {n} sources')
        return (w / w.sum()).expand(b, n)

    def per_sample(
        self, fused: torch.Tensor, sources: torch.Tensor, task: torch.Tensor
    ) -> torch.Tensor:
        n = sources.shape[1]
        fused_rep = fused[:, None].expand_as(sources).flatten(0, 1)  # (B*N, C, H, W)
        sim = ssim(fused_rep, sources.flatten(0, 1), self.window_size, self.sigma)
        sim = sim.view(-1, n)  # (B, N)
        return (self.weights(sources).detach() * (1 - sim)).sum(1)  # (B,)
