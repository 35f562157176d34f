"""The interface of a training objective: how a backbone is trained and how it predicts."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Mapping

import torch
import torch.nn as nn

from ..backbones.base_backbone import contract

#: Where a supervised target can come from (fields of the batch made by the data preprocessor).
TARGET_KEYS = ('gt', 'pseudo_label')


class BaseObjective(nn.Module, metaclass=ABCMeta):
    """An objective turns a backbone into losses (training) and a fused image (inference).

    Shapes: sources (B, N, C, H, W), task (B,) long, target (B, C, H, W) with ``target_valid``
    (B,) bool marking the samples that have one, prompt_emb (B, D).

    Args:
        target_key (str | None): Which batch field is the supervised target: ``'gt'`` or
            ``'pseudo_label'``; None trains without a target. Defaults to 'gt'.
    """

    def __init__(self, target_key: str | None = 'gt') -> None:
        super().__init__()
        if target_key is not None and target_key not in TARGET_KEYS:
            raise ValueError(f'target_key must be one of {TARGET_KEYS} or None, got {target_key!r}')
        self.target_key = target_key

    def check_backbone(self, backbone: nn.Module) -> None:
        """Refuse a backbone whose declared contract does not fit the objective (called by the
        fuser when it is built); here: the backbone must declare the contract."""
        contract(backbone)

    @staticmethod
    def add_aux_losses(
        losses: dict[str, torch.Tensor], aux: Mapping[str, torch.Tensor]
    ) -> dict[str, torch.Tensor]:
        """Append the backbone's auxiliary losses (its output's ``aux_losses``) to ``losses``."""
        for name, value in aux.items():
            if name in losses:
                raise KeyError(f'backbone aux loss {name!r} clashes with an objective loss')
            losses[name] = value
        return losses

    @abstractmethod
    def loss(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        target: torch.Tensor | None = None,
        target_valid: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """The loss terms (keys contain ``'loss'``) of one batch, the backbone's auxiliary losses
        last."""

    @abstractmethod
    def predict(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        prompt_emb: torch.Tensor | None = None,
        **kwargs,
    ) -> tuple[torch.Tensor, int]:
        """The fused image (B, C, H, W) (not clamped) and the number of backbone evaluations."""
