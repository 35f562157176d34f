"""The base of the unsupervised fusion losses: per-sample values, per-task weights, a scalar."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Mapping

import torch
import torch.nn as nn

from fusionbox.structures import TASKS, task_index


class BaseFusionLoss(nn.Module, metaclass=ABCMeta):
    """An unsupervised fusion loss: compares the fused image with its sources.

    Subclasses implement :meth:`per_sample`; ``forward`` weights each sample by the weight of its
    task and returns ``loss_weight * mean_b(task_weight[b] * per_sample[b])``.

    Args:
        loss_weight (float): Global weight of the term. Defaults to 1.
        task_weights (Mapping[str, float] | None): Per-task multipliers, e.g.
            ``dict(mef=2.0, mff=0.0)``; tasks not named get 1. Defaults to None.
        loss_name (str | None): Key of the term in the loss dict (must contain ``'loss'``);
            None gives the class default. Defaults to None.
    """

    default_name = 'loss_fusion'

    def __init__(
        self,
        loss_weight: float = 1.0,
        task_weights: Mapping[str, float] | None = None,
        loss_name: str | None = None,
    ) -> None:
        super().__init__()
        weights = torch.ones(len(TASKS))
        for task, value in (task_weights or {}).items():
            weights[task_index(task)] = float(value)
        self.register_buffer('weight_per_task', weights, persistent=False)  # (len(TASKS),)
        self.loss_weight = loss_weight
        self.loss_name = loss_name or self.default_name
        if 'loss' not in self.loss_name:
            raise ValueError(f"loss_name must contain 'loss' (MMEngine sums those): {loss_name}")

    @abstractmethod
    def per_sample(
        self, fused: torch.Tensor, sources: torch.Tensor, task: torch.Tensor
    ) -> torch.Tensor:
        """Loss per sample (B,) of fused (B, C, H, W) against sources (B, N, C, H, W)."""

    def forward(
        self, fused: torch.Tensor, sources: torch.Tensor, task: torch.Tensor
    ) -> torch.Tensor:
        """Scalar loss of fused (B, C, H, W), sources (B, N, C, H, W), task ids (B,)."""
        values = self.per_sample(fused, sources, task)  # (B,)
        return self.loss_weight * (self.weight_per_task[task] * values).mean()
