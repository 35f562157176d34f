"""Intensity loss: keep the fused intensities close to a task-aware target made of the sources."""

from __future__ import annotations

from typing import Mapping

import torch
import torch.nn.functional as F

from fusionbox.registry import LOSSES
from fusionbox.tasks import spec_table, task_index, task_names

from .base_fusion_loss import BaseFusionLoss

_LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def focus_select(sources: torch.Tensor, window: int = 15) -> torch.Tensor:
    """Per pixel the source in focus: the one with the largest local mean |Laplacian| of its
    channel mean over a ``window`` x ``window`` box (replicate borders); (B, N, C, H, W) ->
    (B, C, H, W). Not differentiable in the choice (the classic focus-measure fusion).

    Ref: S. Li, J. T. Kwok and Y. Wang, "Combination of images with diverse focuses using the
        spatial frequency", Information Fusion 2(3), 2001 (block focus measures); the Laplacian
        energy focus measure as compared by W. Huang and Z. Jing, Pattern Recognition Letters
        28(4), 2007.
    """
    b, n, _, h, w = sources.shape
    luma = sources.mean(2).reshape(b * n, 1, h, w)
    kernel = _LAPLACIAN.to(sources)[None, None]
    activity = F.conv2d(F.pad(luma, (1, 1, 1, 1), mode='replicate'), kernel).abs()
    r = window // 2
    activity = F.avg_pool2d(F.pad(activity, (r, r, r, r), mode='replicate'), window, stride=1)
    pick = activity.view(b, n, 1, h, w).argmax(1, keepdim=True)  # (B, 1, 1, H, W)
    pick = pick.expand(-1, -1, sources.shape[2], -1, -1)
    return sources.gather(1, pick)[:, 0]


#: How a target image is made of the sources (B, N, C, H, W).
REDUCTIONS = {
    'max': lambda s: s.amax(1),
    'mean': lambda s: s.mean(1),
    'min': lambda s: s.amin(1),
    'focus': focus_select,
}


@LOSSES.register_module()
class IntensityLoss(BaseFusionLoss):
    """Distance between the fused image and a per-task reduction of the sources.

    The target of each task is its spec's ``intensity_target`` (:mod:`fusionbox.tasks`): the
    elementwise max of the sources for IVF and MIF (keep the salient thermal / functional
    intensities), their mean for MEF and MFF (the well-exposed or in-focus level).

    Ref: the intensity terms of SeAFusion (Tang et al., 2022) and of the all-in-one unsupervised
        methods (U2Fusion, Xu et al., TPAMI 2020; TC-MoA, Zhu et al., CVPR 2024).

    Args:
        targets (Mapping[str, str] | None): Per-task target, one of ``'max'``, ``'mean'``,
            ``'min'``; overrides the spec's ``intensity_target`` for the tasks named.
            Defaults to None.
        norm (str): ``'l1'`` or ``'l2'``. Defaults to 'l1'.
        **kwargs: ``loss_weight``, ``task_weights``, ``loss_name`` of :class:`BaseFusionLoss`.
    """

    default_name = 'loss_intensity'

    def __init__(
        self, targets: Mapping[str, str] | None = None, norm: str = 'l1', **kwargs
    ) -> None:
        super().__init__(**kwargs)
        chosen = {**spec_table('intensity_target'), **(targets or {})}
        for task, how in chosen.items():
            task_index(task)
            if how not in REDUCTIONS:
                raise ValueError(f'unknown intensity target {how!r} for {task}: {list(REDUCTIONS)}')
        if norm not in ('l1', 'l2'):
            raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
        self.targets = [chosen[task] for task in task_names()]  # by task id
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
