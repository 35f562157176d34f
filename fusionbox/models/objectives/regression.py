"""Regression: one forward pass of the backbone predicts the fused image."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from fusionbox.registry import LOSSES, OBJECTIVES

from ..backbones.base_backbone import contract
from ..builder import build_component
from .base_objective import BaseObjective

#: The unsupervised terms used when no ``losses`` are given.
DEFAULT_LOSSES = (
    dict(type='IntensityLoss', loss_weight=1.0),
    dict(type='GradientLoss', loss_weight=1.0),
    dict(type='SSIMLoss', loss_weight=1.0),
)
#: The supervised term used unless ``supervised`` is given.
DEFAULT_SUPERVISED = dict(type='SupervisedLoss')


@OBJECTIVES.register_module()
class Regression(BaseObjective):
    """Predict the fused image in one pass (NFE = 1) and train it with fusion losses.

    The unsupervised terms (``losses``: intensity, gradient, SSIM against the sources, each with
    its own per-task weights) apply to every sample, so tasks without ground truth train too. The
    ``supervised`` term applies only to the samples that have a target (``target_key``); the
    others do not count in it.

    Paper: MMAIF: Multi-task and Multi-degradation All-in-One for Image Fusion with Language
        Guidance (Cao et al., ICCV 2025), the regression variant.

    Args:
        losses (Sequence[dict] | None): ``LOSSES`` configs of the unsupervised terms, each called
            as ``loss(fused, sources, task)``; None gives :data:`DEFAULT_LOSSES`, ``[]`` none.
            Defaults to None.
        supervised (dict | None): ``LOSSES`` config of the supervised term, called as
            ``loss(fused, target, valid)``; None: no supervised term. Defaults to
            :data:`DEFAULT_SUPERVISED`.
        target_key (str | None): ``'gt'`` or ``'pseudo_label'``. Defaults to 'gt'.
    """

    def __init__(
        self,
        losses: Sequence[dict] | None = None,
        supervised: dict | None = DEFAULT_SUPERVISED,
        target_key: str | None = 'gt',
    ) -> None:
        super().__init__(target_key=target_key)
        losses = DEFAULT_LOSSES if losses is None else losses
        self.losses = nn.ModuleList(
            [build_component(LOSSES, cfg, f'losses[{i}]') for i, cfg in enumerate(losses)]
        )
        names = [loss.loss_name for loss in self.losses]
        if len(set(names)) != len(names):
            raise ValueError(f'Regression losses need distinct loss_name values, got {names}')
        self.supervised = (
            None if supervised is None else build_component(LOSSES, supervised, 'supervised')
        )
        if self.supervised is not None and target_key is None:
            raise ValueError('Regression: a supervised loss needs target_key (gt or pseudo_label)')
        if not self.losses and self.supervised is None:
            raise ValueError('Regression needs at least one loss')

    def check_backbone(self, backbone: nn.Module) -> None:
        """One pass, no state: a backbone declaring a state (a velocity network) is refused."""
        state = contract(backbone)['state_channels']
        if state:
            raise ValueError(
                f'Regression calls the backbone without a state, but {type(backbone).__name__} '
                f'declares state_channels={state}: build it with state_channels=0'
            )

    def loss(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        target: torch.Tensor | None = None,
        target_valid: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        contract(backbone)  # TypeError naming an undeclared backbone
        res = backbone(sources, task, prompt_emb=prompt_emb)
        fused = res.fused  # (B, C, H, W)
        out = {loss.loss_name: loss(fused, sources, task) for loss in self.losses}
        if self.supervised is not None:
            if target is None:
                out[self.supervised.loss_name] = fused.sum() * 0.0
            else:
                out[self.supervised.loss_name] = self.supervised(fused, target, target_valid)
        return self.add_aux_losses(out, res.aux_losses)

    def predict(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        prompt_emb: torch.Tensor | None = None,
        **kwargs,
    ) -> tuple[torch.Tensor, int]:
        if kwargs:
            raise TypeError(f'Regression.predict takes no options, got {sorted(kwargs)}')
        contract(backbone)
        return backbone(sources, task, prompt_emb=prompt_emb).fused, 1
