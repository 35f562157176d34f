"""An infinite sampler that draws a task by weight, then a sample of that task."""

from __future__ import annotations

import itertools
from typing import Dict, Iterator, List, Mapping, Sized

import numpy as np
from mmengine.dataset import ConcatDataset
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from fusionbox.registry import DATA_SAMPLERS
from fusionbox.structures import TASKS

from ..embedded_dataset import EmbeddedFusionDataset
from ..multi_source_dataset import MultiSourceFusionDataset

#: Indices drawn per block of the infinite stream.
_BLOCK = 4096


@DATA_SAMPLERS.register_module()
class TaskWeightedSampler(Sampler):
    """Infinite, seeded sampler for mixed-task training: each draw picks a task with
    probability proportional to its weight, then one sample of that task.

    Within a task, ``shuffle=True`` draws a sample at random, each with a probability
    proportional to its dataset's weight (``dataset_weights``, 1 by default); ``shuffle=False``
    cycles through the task's samples in index order. The stream depends only on the seed and
    the dataset, so a run resumed at iteration *k* sees the same batches as an uninterrupted one
    (MMEngine's ``IterBasedTrainLoop`` skips the *k* batches already trained, as with
    ``InfiniteSampler``). With several processes every rank draws the same stream and keeps
    every ``world_size``-th index from its rank on.

    A sample's task is its dataset's ``task``; a dataset is named for ``dataset_weights`` by
    its layout (``'MSRS'``), ``'embedded'`` for the embedded benchmark, or ``'folders'`` for a
    layout-less folder dataset. Other datasets are read per sample through
    ``get_data_info(i)['task']``.

    Args:
        dataset: the training dataset (usually a ``ConcatDataset`` of fusion datasets).
        task_weights: ``{task: weight}``; tasks left out weigh 1, weight 0 leaves a task out,
            a task the dataset does not hold is ignored (so a child config may drop one); every
            key must be a task name. Defaults to None (all 1).
        dataset_weights: ``{dataset name: weight}`` of the samples within their task (shuffle
            only). Every key must name a dataset of the mix. Defaults to None (all 1).
        shuffle: draw at random within a task (else cycle in order). Defaults to True.
        seed: the random seed; None synchronises a random one across ranks. Defaults to None.
    """

    def __init__(
        self,
        dataset: Sized,
        task_weights: Mapping[str, float] | None = None,
        dataset_weights: Mapping[str, float] | None = None,
        shuffle: bool = True,
        seed: int | None = None,
    ) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)
        tasks, names = _sample_tasks_and_names(dataset)
        self.tasks: List[str] = [t for t in TASKS if t in set(tasks)]
        _check_keys(task_weights, TASKS, 'task_weights', 'task')
        _check_keys(dataset_weights, sorted(set(names)), 'dataset_weights', 'dataset')
        if dataset_weights and not shuffle:
            raise ValueError('dataset_weights need shuffle=True (in-order cycling has no weights)')
        weights = np.array([float((task_weights or {}).get(t, 1.0)) for t in self.tasks])
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f'task weights must be >= 0 with a positive sum, got {task_weights}')
        #: per task, its probability and its sample indices with their probabilities
        self.task_probs = weights / weights.sum()
        self.members: List[np.ndarray] = []
        self.member_probs: List[np.ndarray] = []
        task_arr, name_arr = np.array(tasks), np.array(names)
        for t in self.tasks:
            idx = np.flatnonzero(task_arr == t)
            w = np.array([float((dataset_weights or {}).get(n, 1.0)) for n in name_arr[idx]])
            if (w < 0).any() or w.sum() <= 0:
                raise ValueError(f'the dataset weights of task {t!r} leave it no sample')
            self.members.append(idx)
            self.member_probs.append(w / w.sum())
        self.size = len(dataset)

    def _infinite_indices(self) -> Iterator[int]:
        rng = np.random.default_rng(self.seed)
        cursors = [0] * len(self.tasks)
        while True:
            picks = rng.choice(len(self.tasks), size=_BLOCK, p=self.task_probs)
            if self.shuffle:
                out = np.empty(_BLOCK, dtype=np.int64)
                for k, (idx, p) in enumerate(zip(self.members, self.member_probs)):
                    where = np.flatnonzero(picks == k)
                    out[where] = rng.choice(idx, size=len(where), p=p)
                yield from out.tolist()
            else:
                for k in picks.tolist():
                    idx = self.members[k]
                    yield int(idx[cursors[k] % len(idx)])
                    cursors[k] += 1

    def __iter__(self) -> Iterator[int]:
        yield from itertools.islice(self._infinite_indices(), self.rank, None, self.world_size)

    def __len__(self) -> int:
        return self.size

    def set_epoch(self, epoch: int) -> None:
        """Not used: the stream is infinite (as MMEngine's ``InfiniteSampler``)."""


def _dataset_name(dataset) -> str:
    if isinstance(dataset, EmbeddedFusionDataset):
        return 'embedded'
    if isinstance(dataset, MultiSourceFusionDataset):
        return dataset.layout or 'folders'
    return type(dataset).__name__


def _sample_tasks_and_names(dataset) -> tuple[List[str], List[str]]:
    """The task and the dataset name of every index of ``dataset``."""
    parts = dataset.datasets if isinstance(dataset, ConcatDataset) else [dataset]
    tasks: List[str] = []
    names: List[str] = []
    for part in parts:
        name = _dataset_name(part)
        if isinstance(part, MultiSourceFusionDataset):
            tasks += [part.task] * len(part)
        else:
            tasks += [part.get_data_info(i)['task'] for i in range(len(part))]
        names += [name] * len(part)
    if len(tasks) != len(dataset):
        raise ValueError(f'read {len(tasks)} tasks for a dataset of {len(dataset)} samples')
    if not tasks:
        raise ValueError('TaskWeightedSampler got an empty dataset')
    return tasks, names


def _check_keys(weights: Dict[str, float] | None, known, option: str, what: str) -> None:
    unknown = sorted(set(weights or {}) - set(known))
    if unknown:
        raise KeyError(f'{option} names unknown {what}(s) {unknown}; known: {", ".join(known)}')
