"""The interface of a continual-learning strategy and the batch helpers strategies share."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import torch
import torch.nn as nn

#: ``loss_fn(data_batch) -> Tensor``: the objective's total loss (no strategy terms) of a batch.
LossFn = Callable[[dict], torch.Tensor]


class BaseContinualStrategy:
    """What a strategy may do while a sequence of tasks is trained (all hooks are optional).

    The training loop (:class:`~fusionbox.continual.TaskSequenceTrainLoop`) calls, per stage:
    :meth:`before_task`, then per iteration :meth:`mix_batch` (the batch the optimiser sees),
    :meth:`penalty` (terms added to the loss before ``optim_wrapper.update_params``) and
    :meth:`observe` (the stage's own batch, unmixed), then :meth:`after_task`. ``model`` is always
    the unwrapped model (an MMEngine ``BaseModel``, never a DDP wrapper).

    The state a resumed run needs goes through :meth:`state_dict` / :meth:`load_state_dict`, which
    the loop writes into ``checkpoint['continual']``. :meth:`before_task` is called again when a
    run resumes in the middle of a stage, so it must be idempotent.
    """

    def before_task(self, model: nn.Module, tasks: Sequence[str], stage: int) -> None:
        """Called when stage ``stage`` (training ``tasks``) starts or resumes."""

    def penalty(self, model: nn.Module) -> dict[str, torch.Tensor]:
        """Loss terms (keys contain ``'loss'``) added to the objective's losses; may be empty."""
        return {}

    def mix_batch(self, data_batch: dict) -> dict:
        """The batch to train on: ``data_batch`` plus any samples mixed in."""
        return data_batch

    def observe(self, data_batch: dict) -> None:
        """See a batch of the current stage (before mixing), e.g. to fill a memory."""

    def after_task(self, model: nn.Module, batches: Iterable[dict], loss_fn: LossFn) -> None:
        """Called when a stage ends; ``batches`` yields more batches of that stage's data (an
        endless iterator: take what you need)."""

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""


def split_batch(data_batch: dict) -> list[dict]:
    """One batch of B samples -> B one-sample batches (``pseudo_collate`` layout)."""
    inputs, samples = data_batch['inputs'], data_batch['data_samples']
    if isinstance(inputs, torch.Tensor):
        inputs = list(inputs.unbind(0))
    return [{'inputs': [x], 'data_samples': [s]} for x, s in zip(inputs, samples)]


def concat_batches(data_batch: dict, extra_inputs: Sequence, extra_samples: Sequence) -> dict:
    """Append samples (inputs (N, C, H, W) each, data samples) to a ``pseudo_collate`` batch."""
    inputs = data_batch['inputs']
    inputs = list(inputs.unbind(0)) if isinstance(inputs, torch.Tensor) else list(inputs)
    shapes = {tuple(x.shape) for x in inputs} | {tuple(x.shape) for x in extra_inputs}
    if len(shapes) > 1:
        raise ValueError(
            f'cannot mix samples of different shapes {sorted(shapes)} into one batch: give every '
            'stage the same crop size and number of sources'
        )
    out = dict(data_batch)
    out['inputs'] = inputs + list(extra_inputs)
    out['data_samples'] = list(data_batch['data_samples']) + list(extra_samples)
    return out
