"""Intensity loss: keep the fused intensities close to a task-aware target made of the sources."""

from __future__ import annotations

from typing import Mapping

import torch
import torch.nn.functional as F

from fusionbox.registry import LOSSES
from fusionbox.structures import TASKS, task_index

from .base_fusion_loss import BaseFusionLoss

#: How a target image is made of the sources (B, N, C, H, W).
REDUCTIONS = {
    'max': lambda s: s.amax(1),
    'mean': lambda s: s.mean(1),
    'min': lambda s: s.amin(1),
}


@LOSSES.register_module()
class IntensityLoss(BaseFusionLoss):
    """Distance between the fused image and a per-task reduction of the sources.

    The target is the elementwise max of the sources for IVF and MIF (keep the salient thermal /
    functional intensities), their mean for MEF and MFF (the well-exposed or in-focus level).

    Ref: the intensity terms of SeAFusion (Tang et al., 2022) and of the all-in-one unsupervised
        methods (U2Fusion, Xu et al., TPAMI 2020; TC-MoA, Zhu et al., CVPR 2024).

    Args:
        targets (Mapping[str, str] | None): Per-task target, one of ``'max'``, ``'mean'``,
            ``'min'``; overrides :attr:`default_targets` for the tasks named. Defaults to None.
        norm (str): ``'l1'`` or ``'l2'``. Defaults to 'l1'.
        **kwargs: ``loss_weight``, ``task_weights``, ``loss_name`` of :class:`BaseFusionLoss`.
    """

    default_name = 'loss_intensity'
    default_targets = {'ivf': 'max', 'mif': 'max', 'mef': 'mean', 'mff': 'mean'}

    def __init__(
        self, targets: Mapping[str, str] | None = None, norm: str = 'l1', **kwargs
    ) -> None:
        super().__init__(**kwargs)
        chosen = {**self.default_targets, **(targets or {})}
        for task, how in chosen.items():
            task_index(task)
            if how not in REDUCTIONS:
                raise ValueError(f'unknown intensity target {how!r} for {task}: {list(REDUCTIONS)}')
        if norm not in ('l1', 'l2'):
            raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
        self.targets = [chosen[task] for task in TASKS]  # by task id
        self.norm = norm

    def target(self, sources: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        """The per-sample target (B, C, H, W) of sources (B, N, C, H, W)."""
        out = torch.empty_like(sources[:, 0])
        for tid in task.unique().tolist():
            sel = task == tid
            out[sel] = REDUCTIONS[self.targets[tid]](sources[sel])
        return out

    def per_sample(
        self, fused: torch.Tensor, sources: torch.Tensor, task: torch.Tensor
    ) -> torch.Tensor:
        target = self.target(sources, task)
        dist = F.l1_loss if self.norm == 'l1' else F.mse_loss
        return dist(fused, target, reduction='none').flatten(1).mean(1)  # (B,)
