"""The data of several fusion tasks as one dataset, chosen by ``tasks`` and ``split``."""

from __future__ import annotations

import copy
from typing import List, Mapping, Sequence

from fusionbox.registry import DATASETS
from fusionbox.tasks import get_task, task_names

from .fusion_concat_dataset import FusionConcatDataset
from .layouts import get_layout

#: The values of ``split``.
SPLITS = ('train', 'val', 'test')
#: The metainfo keys that differ between the members of different tasks.
IGNORE_KEYS = ('task', 'source_names', 'layout')
#: The ``EmbeddedFusionDataset`` arguments set per member (not in ``embedded``).
MEMBER_KEYS = ('type', 'task', 'split', 'pipeline')


def _member_task(cfg: Mapping, where: str) -> str:
    """The task of a member config: its ``task``, else its ``layout``'s."""
    if cfg.get('task') is not None:
        return get_task(cfg['task']).name
    if cfg.get('layout') is not None:
        return get_layout(cfg['layout']).task
    raise ValueError(f'{where} names neither a task nor a layout: {dict(cfg)}')


def member_configs(
    tasks: Sequence[str] | None = None,
    split: str = 'train',
    pipeline: Sequence = (),
    embedded: Mapping | None = None,
    datasets: Sequence[Mapping] = (),
) -> List[dict]:
    """The member configs of a :class:`MultiTaskFusionDataset` with these arguments (same
    meaning), in order: the embedded split of each task, then the ``datasets`` of the tasks."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if isinstance(tasks, str):
        raise TypeError(f'tasks must be a list of task names, got the string {tasks!r}')
    names = task_names() if tasks is None else tuple(get_task(t).name for t in tasks)
    members = []
    if embedded is not None:
        own = sorted(set(embedded) & set(MEMBER_KEYS)) + [
            f'{t}.{k}' for t in task_names() for k in embedded.get(t) or {} if k in MEMBER_KEYS
        ]
        if own:
            raise TypeError(f'embedded sets {own} itself: give tasks, split and pipeline')
        if tasks is None:
            names_with = [t for t in names if get_task(t).embedded]
        else:
            names_with = list(names)
            lacking = [t for t in names if not get_task(t).embedded]
            if lacking:
                raise ValueError(
                    f'tasks {lacking} have no embedded generator: leave them out of tasks or '
                    'give embedded=None'
                )
        shared = {k: v for k, v in embedded.items() if k not in task_names()}
        members += [
            dict(type='EmbeddedFusionDataset', **copy.deepcopy({**shared, **embedded.get(t, {})}),
                 task=t, split=split, pipeline=copy.deepcopy(list(pipeline)))
            for t in names_with
        ]  # fmt: skip
    defaults = dict(
        pipeline=list(pipeline),
        subset='train' if split == 'train' else 'holdout',
        test_mode=split != 'train',
    )
    for i, cfg in enumerate(datasets):
        if not isinstance(cfg, Mapping):
            raise TypeError(f'datasets[{i}] must be a dataset config (a dict), got {cfg!r}')
        if _member_task(cfg, f'datasets[{i}]') in names:
            members.append(copy.deepcopy(dict(defaults, **cfg)))
    if not members:
        raise ValueError(
            f'MultiTaskFusionDataset has no member for tasks {list(names)} in split {split!r}'
        )
    return members


def as_concat(cfg: Mapping) -> dict:
    """A ``MultiTaskFusionDataset`` config as the ``FusionConcatDataset`` config of its members
    (same samples), for a tool that edits the members one by one."""
    args = dict(cfg)
    if args.pop('type', 'MultiTaskFusionDataset') != 'MultiTaskFusionDataset':
        raise TypeError(f'as_concat takes a MultiTaskFusionDataset config, not {cfg["type"]!r}')
    keys = ('tasks', 'split', 'pipeline', 'embedded', 'datasets')
    members = member_configs(**{k: args.pop(k) for k in keys if k in args})
    args.setdefault('ignore_keys', list(IGNORE_KEYS))
    return dict(type='FusionConcatDataset', datasets=members, **args)


@DATASETS.register_module()
class MultiTaskFusionDataset(FusionConcatDataset):
    """One split of the data of several tasks: the embedded benchmark and real sets.

    Members, in order: the embedded benchmark's ``split`` of each task of ``tasks``
    (``EmbeddedFusionDataset`` with the settings ``embedded``), then each of ``datasets`` whose
    task (its ``task``, else its ``layout``'s) is in ``tasks``. A member of ``datasets`` takes
    the split's value of every key it does not set itself: ``pipeline``, ``subset``
    (``'train'``: all but the held-out stems; ``'val'`` and ``'test'``: the held-out ones) and
    ``test_mode`` (True except for ``'train'``). A child config narrows or degrades a base by
    dict::

        train_dataloader = dict(dataset=dict(tasks=['ivf', 'mef']))
        val_dataloader = dict(dataset=dict(degrade=dict(type='RandomDegradeSources', seed=0)))

    Args:
        tasks: task names, in member order; None: every registered task (those with an
            embedded generator for the embedded members). Defaults to None.
        split: ``'train'``, ``'val'`` or ``'test'``. Defaults to 'train'.
        pipeline: the transforms of every member. Defaults to ().
        embedded: ``EmbeddedFusionDataset`` arguments of the embedded members (``seed``,
            ``size``, ``num_samples``...), a task's own under its name (``ivf=dict(
            pseudo_label_dir=...)``); None: no embedded member. Defaults to None.
        datasets: further member configs (real sets), each of one task. Defaults to ().
        degrade: the degradation step of every member (see :class:`FusionConcatDataset`).
            Defaults to None.
        ignore_keys: metainfo keys that may differ between members. Defaults to
            :data:`IGNORE_KEYS`.
        lazy_init: as MMEngine's ``ConcatDataset``. Defaults to False.
    """

    def __init__(
        self,
        tasks: Sequence[str] | None = None,
        split: str = 'train',
        pipeline: Sequence = (),
        embedded: Mapping | None = None,
        datasets: Sequence[Mapping] = (),
        degrade: dict | None = None,
        ignore_keys: str | list | None = IGNORE_KEYS,
        lazy_init: bool = False,
    ) -> None:
        members = member_configs(tasks, split, pipeline, embedded, datasets)
        self.tasks = tuple(dict.fromkeys(_member_task(m, 'member') for m in members))
        self.split = split
        ignore_keys = list(ignore_keys) if isinstance(ignore_keys, tuple) else ignore_keys
        super().__init__(members, ignore_keys=ignore_keys, degrade=degrade, lazy_init=lazy_init)
