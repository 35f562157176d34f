"""Degraded real pairs: a real dataset's sources degraded, the clean sources' pseudo-label as the
target, and the restoration prompt; deterministic by seed; evaluation-only sets refused in
training.

Ref: MMAIF (Cao et al., ICCV 2025): training pairs are clean registered sources degraded by a
random real-world pipeline (1 to 3 operations of the task's set) and described by a prompt; the
target is the fusion of the *clean* sources.
"""

from __future__ import annotations

import zlib
from typing import List, Sequence

from mmengine.dataset import BaseDataset

from fusionbox.registry import DATASETS

from .degraded_dataset import DegradedFusionDataset


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


@DATASETS.register_module()
class DegradedRealFusionDataset(DegradedFusionDataset):
    """A real :class:`~fusionbox.datasets.MultiSourceFusionDataset` with degraded sources.

    Each sample carries the degraded sources, the clean ones (``clean_sources``), the
    pseudo-label of the clean sources as the target (metainfo ``target='pseudo_label'``), the
    degradation records and the prompt composed from them (metainfo ``degradations``,
    ``prompt``). The degradation step must have an integer ``seed``: every draw is keyed by
    ``(seed, dataset, stem, draw)`` (``degrade_key``), so the same seed gives the same samples
    whatever the order, two sets with equal stems get different draws, and with ``fresh=True``
    the ``k``-th fetch of a sample uses draw ``k`` (new degradations each epoch, reproducible
    with ``num_workers=0``); with ``fresh=False`` a sample is always degraded the same way (a
    fixed evaluation copy).

    Args:
        dataset: config (or built instance) of the wrapped real dataset; ``pseudo_label_dir``
            must be set when ``require_target`` (``tools/fusionfm_recipe.py`` fills it in).
        degrade: the degradation step (``RandomDegradeSources`` with an int ``seed``).
            Defaults to None (``dict(type='RandomDegradeSources', seed=0)``).
        fresh: a new draw at every fetch. Defaults to None (``not test_mode``).
        require_target: refuse samples without a pseudo-label. Defaults to True.
        **kwargs: as :class:`DegradedFusionDataset` (``pipeline``, ``test_mode``...).
    """

    def __init__(
        self,
        dataset: dict,
        degrade: dict | None = None,
        fresh: bool | None = None,
        require_target: bool = True,
        **kwargs,
    ):
        degrade = dict(degrade or dict(type='RandomDegradeSources', seed=0))
        if not isinstance(degrade.get('seed'), int) or isinstance(degrade.get('seed'), bool):
            raise ValueError(
                f'DegradedRealFusionDataset: degrade.seed must be an int (draws are keyed by '
                f'seed, set, stem and draw), got {degrade.get("seed")!r}'
            )
        from fusionbox.recipes import EVALUATION_ONLY_LAYOUTS

        test_mode = bool(kwargs.get('test_mode', False))
        layout = dataset.get('layout') if isinstance(dataset, dict) else None
        if layout in EVALUATION_ONLY_LAYOUTS and not test_mode:
            raise ValueError(
                f'{layout} is an evaluation set: never train on it (DegradedRealFusionDataset '
                'with test_mode=False)'
            )
        self.fresh = (not test_mode) if fresh is None else bool(fresh)
        self.require_target = require_target
        self._draws: dict[int, int] = {}
        super().__init__(dataset, degrade=degrade, **kwargs)

    def load_data_list(self) -> List[dict]:
        """The wrapped data list; with ``require_target``, every sample must have its label."""
        data = super().load_data_list()
        if self.require_target:
            lacking = [d for d in data if not d.get('pseudo_label_path')]
            if lacking:
                root = getattr(self.dataset, 'data_root', '?')
                raise ValueError(
                    f'DegradedRealFusionDataset: sample {lacking[0]["stem"]!r} of {root} has no '
                    'pseudo-label (set pseudo_label_dir, or run tools/fusionfm_recipe.py, '
                    'which makes and fills them in)'
                )
        return data

    def degrade_key(self, info: dict, draw: int) -> tuple:
        """``(set, stem, draw)`` as non-negative ints: the sample's draw key."""
        name = info.get('dataset') or str(getattr(self.dataset, 'data_root', ''))
        return (_crc(f'{info.get("task")}/{name}'), _crc(str(info['stem'])), int(draw))

    def prepare_data(self, idx: int):
        """The wrapped sample through the pipeline, with its ``degrade_key``."""
        info = self.get_data_info(idx)
        draw = self._draws.get(idx, 0) if self.fresh else 0
        if self.fresh:
            self._draws[idx] = draw + 1
        info['degrade_key'] = self.degrade_key(info, draw)
        return self.pipeline(info)


# --- a folder written by `fusionbox degrade`, read back -------------------------------------
#: The record ``fusionbox degrade`` writes beside its outputs.
DEGRADE_RECORD = 'degradations.json'
_SAMPLE_KEYS = ('inputs', 'outputs', 'degradations', 'prompt')


def read_degrade_record(path) -> List[dict]:
    """The samples of a ``fusionbox degrade`` record, each with ``stem``, ``source_names``
    (None for an image degraded on its own), ``source_paths`` (the degraded images, found beside
    the record: ``<folder>/<name>/<file>`` or ``<folder>/<file>``), ``clean_paths`` (the inputs
    as recorded), ``degradations`` and ``prompt``.

    Args:
        path: the record, or the folder that holds it (:data:`DEGRADE_RECORD`).

    Raises:
        FileNotFoundError: no record there.
        ValueError: the record is not JSON or lacks a key (naming the file and the key).
    """
    import json
    from pathlib import Path

    record = Path(path)
    record = record / DEGRADE_RECORD if record.is_dir() else record
    if not record.is_file():
        raise FileNotFoundError(f'degradation record {record} does not exist (fusionbox degrade)')
    try:
        samples = json.loads(record.read_text())['samples']
        if not isinstance(samples, list) or not all(isinstance(e, dict) for e in samples):
            raise TypeError('"samples" is not a list of objects')
    except (ValueError, KeyError, TypeError) as exc:
        why = f'no {exc} key' if isinstance(exc, KeyError) else str(exc)[:120]
        raise ValueError(f'{record} is not a fusionbox degrade record ({why})') from None
    out = []
    for i, entry in enumerate(samples):
        lacking = [k for k in _SAMPLE_KEYS if k not in entry]
        if lacking:
            raise ValueError(f'{record}: sample {i} has no {lacking[0]!r}')
        names = entry.get('source_names')
        lists = ('inputs', 'outputs', 'degradations') + (('source_names',) if names else ())
        bad = [k for k in lists if not isinstance(entry[k], list)]
        if bad or not entry['outputs'] or not all(isinstance(p, str) for p in entry['outputs']):
            raise ValueError(f'{record}: sample {i} has a malformed {(bad or ["outputs"])[0]!r}')
        outputs = [Path(p).name for p in entry['outputs']]
        folders = [record.parent / n for n in names] if names else [record.parent] * len(outputs)
        out.append(
            dict(
                stem=Path(outputs[0]).stem,
                source_names=list(names) if names else None,
                source_paths=[str(f / name) for f, name in zip(folders, outputs)],
                clean_paths=list(entry['inputs']),
                degradations=list(entry['degradations']),
                prompt=str(entry['prompt']),
            )
        )
    return out


@DATASETS.register_module()
class DegradedRecordDataset(BaseDataset):
    """The samples of a folder written by ``fusionbox degrade --names``, read back.

    Each sample carries the degraded sources (``source_paths``), the record's prompt and
    degradations (metainfo ``prompt``, ``degradations``), the clean inputs' paths (metainfo
    ``clean_paths``) and, where a label folder is given, the target of the clean sources
    (``pseudo_label``, metainfo ``target``).

    Args:
        data_root: the folder ``fusionbox degrade -o`` wrote (or its record file).
        task: the fusion task of the samples.
        pseudo_label_dir: labels of the clean sources, ``<stem>.<ext>``; every sample must
            have one. Defaults to None (no target).
        pipeline: transforms. Defaults to loading, luma and ``PackDegradedFusionInputs``.
        **kwargs: passed to :class:`mmengine.dataset.BaseDataset` (``indices``, ``test_mode``).
    """

    META_KEYS = ('dataset', 'sample_idx', 'clean_paths', 'img_shape')

    def __init__(
        self,
        data_root: str,
        task: str,
        pseudo_label_dir: str | None = None,
        pipeline: Sequence | None = None,
        **kwargs,
    ):
        from fusionbox.structures import task_index

        task_index(task)  # ValueError naming the task
        self.task, self.pseudo_label_dir = task, pseudo_label_dir
        if pipeline is None:
            pipeline = [
                dict(type='LoadMultiSourceImages'),
                dict(type='SourcesToYCbCr'),
                dict(type='PackDegradedFusionInputs', meta_keys=self.META_KEYS),
            ]
        kwargs.setdefault('serialize_data', False)
        super().__init__(data_root=str(data_root), pipeline=pipeline, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One entry per record sample (see the class doc)."""
        from fusionbox.utils.image_io import list_images

        samples = read_degrade_record(self.data_root)
        lone = [s['stem'] for s in samples if not s['source_names']]
        if lone:
            raise ValueError(
                f'{self.data_root}: sample {lone[0]!r} is one image degraded on its own; '
                'a fusion sample needs its sources named (fusionbox degrade --names)'
            )
        labels = list_images(self.pseudo_label_dir, 'pseudo-label') if self.pseudo_label_dir else {}
        data = []
        for i, s in enumerate(samples):
            if self.pseudo_label_dir and s['stem'] not in labels:
                raise ValueError(
                    f'sample {s["stem"]!r} of {self.data_root} has no pseudo-label in '
                    f'{self.pseudo_label_dir}'
                )
            data.append(
                dict(
                    s,
                    task=self.task,
                    dataset=str(self.data_root),
                    pseudo_label_path=str(labels[s['stem']]) if labels else None,
                    sample_idx=i,
                )
            )
        return data
