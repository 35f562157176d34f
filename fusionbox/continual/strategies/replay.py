"""Experience replay: samples of the previous tasks kept in a memory and mixed into each batch."""

from __future__ import annotations

import random
from typing import Iterable, Sequence

import torch.nn as nn

from fusionbox.registry import CONTINUAL_STRATEGIES
from fusionbox.structures import FusionSample

from ..reservoir import TaskBalancedReservoir
from .base_strategy import BaseContinualStrategy, LossFn, concat_batches

#: Metainfo a replayed sample keeps (what the model and its loss read).
KEEP_META = ('task', 'stem', 'prompt', 'source_names', 'is_color')


@CONTINUAL_STRATEGIES.register_module()
class Replay(BaseContinualStrategy):
    """A task-balanced reservoir of past samples, mixed into every batch of the later tasks.

    During a stage every training sample (the packed ``inputs`` (N, C, H, W) and its data sample
    reduced to :data:`KEEP_META` and ``keep_fields``, on the CPU) is offered to a
    :class:`~fusionbox.continual.TaskBalancedReservoir`. In the later stages each batch of B
    samples gets ``round(ratio * B)`` samples of the previous tasks appended, drawn uniformly
    without replacement from the memory (task-balanced, since the memory is). The loss is thus
    recomputed on the stored inputs with the current parameters. All stages must share the crop
    size and the number of sources.

    Args:
        capacity (int): Samples in the memory over all tasks. Defaults to 64.
        ratio (float): Replayed samples per current sample in a batch. Defaults to 0.5.
        keep_fields (Sequence[str]): Data fields stored with each sample (the targets).
            Defaults to ('gt', 'pseudo_label').
        seed (int): Seed of the memory and of the draws. Defaults to 0.
    """

    def __init__(
        self,
        capacity: int = 64,
        ratio: float = 0.5,
        keep_fields: Sequence[str] = ('gt', 'pseudo_label'),
        seed: int = 0,
    ) -> None:
        if ratio < 0:
            raise ValueError(f'Replay ratio must be >= 0, got {ratio}')
        self.memory = TaskBalancedReservoir(capacity, seed=seed)
        self.ratio = float(ratio)
        self.keep_fields = tuple(keep_fields)
        self._rng = random.Random(seed + 1)
        self.past_tasks: list[str] = []  # tasks of the finished stages
        self.current_tasks: list[str] = []

    def before_task(self, model: nn.Module, tasks: Sequence[str], stage: int) -> None:
        self.current_tasks = list(tasks)

    def observe(self, data_batch: dict) -> None:
        inputs = data_batch['inputs']
        for x, sample in zip(inputs, data_batch['data_samples']):
            meta = {k: sample.metainfo[k] for k in KEEP_META if k in sample.metainfo}
            fields = {k: sample.get(k).detach().cpu() for k in self.keep_fields if k in sample}
            item = {'inputs': x.detach().cpu(), 'metainfo': meta, 'fields': fields}
            self.memory.add(meta['task'], item)

    def mix_batch(self, data_batch: dict) -> dict:
        past = [t for t in self.past_tasks if t not in self.current_tasks]
        pool = self.memory.items(past)
        k = min(round(self.ratio * len(data_batch['data_samples'])), len(pool))
        if k == 0:
            return data_batch
        chosen = self._rng.sample(pool, k)
        device = data_batch['inputs'][0].device
        samples = [
            FusionSample(metainfo=dict(c['metainfo']), **{n: v for n, v in c['fields'].items()})
            for c in chosen
        ]
        return concat_batches(data_batch, [c['inputs'].to(device) for c in chosen], samples)

    def after_task(self, model: nn.Module, batches: Iterable[dict], loss_fn: LossFn) -> None:
        self.past_tasks += [t for t in self.current_tasks if t not in self.past_tasks]

    def state_dict(self) -> dict:
        return {
            'memory': self.memory.state_dict(),
            'rng_state': self._rng.getstate(),
            'past_tasks': list(self.past_tasks),
        }

    def load_state_dict(self, state: dict) -> None:
        self.memory.load_state_dict(state['memory'])
        self._rng.setstate(state['rng_state'])
        self.past_tasks = list(state['past_tasks'])
