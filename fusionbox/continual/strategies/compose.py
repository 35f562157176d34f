"""Several strategies at once, e.g. EWC and replay (FusionFM's setting)."""

from __future__ import annotations

from typing import Iterable, Sequence

import torch
import torch.nn as nn

from fusionbox.registry import CONTINUAL_STRATEGIES

from .base_strategy import BaseContinualStrategy, LossFn


@CONTINUAL_STRATEGIES.register_module()
class Compose(BaseContinualStrategy):
    """Apply strategies in order: penalties are merged, batches mixed by each in turn.

    Args:
        strategies (Sequence[dict | BaseContinualStrategy]): ``CONTINUAL_STRATEGIES`` configs
            (or built strategies), e.g. ``[dict(type='EWC', lambda_=100.0), dict(type='Replay')]``.
    """

    def __init__(self, strategies: Sequence[dict | BaseContinualStrategy]) -> None:
        self.strategies = [
            s if isinstance(s, BaseContinualStrategy) else CONTINUAL_STRATEGIES.build(s)
            for s in strategies
        ]

    def before_task(self, model: nn.Module, tasks: Sequence[str], stage: int) -> None:
        for strategy in self.strategies:
            strategy.before_task(model, tasks, stage)

    def penalty(self, model: nn.Module) -> dict[str, torch.Tensor]:
        out: dict[str, torch.Tensor] = {}
        for strategy in self.strategies:
            for key, value in strategy.penalty(model).items():
                out[key] = out[key] + value if key in out else value
        return out

    def mix_batch(self, data_batch: dict) -> dict:
        for strategy in self.strategies:
            data_batch = strategy.mix_batch(data_batch)
        return data_batch

    def observe(self, data_batch: dict) -> None:
        for strategy in self.strategies:
            strategy.observe(data_batch)

    def after_task(self, model: nn.Module, batches: Iterable[dict], loss_fn: LossFn) -> None:
        for strategy in self.strategies:
            strategy.after_task(model, batches, loss_fn)

    def state_dict(self) -> dict:
        return {
            'strategies': [
                {'type': type(s).__name__, 'state': s.state_dict()} for s in self.strategies
            ]
        }

    def load_state_dict(self, state: dict) -> None:
        saved = state['strategies']
        names = [type(s).__name__ for s in self.strategies]
        if [s['type'] for s in saved] != names:
            raise ValueError(
                f'checkpoint has strategies {[s["type"] for s in saved]}, the config {names}'
            )
        for strategy, entry in zip(self.strategies, saved):
            strategy.load_state_dict(entry['state'])
