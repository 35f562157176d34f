"""Degraded real pairs: a real dataset's sources degraded, the clean sources' pseudo-label as the
target, and the restoration prompt; deterministic by seed; evaluation-only sets refused in
training.

Ref: MMAIF (Cao et al., ICCV 2025): training pairs are clean registered sources degraded by a
random real-world pipeline (1 to 3 operations of the task's set) and described by a prompt; the
target is the fusion of the *clean* sources.
"""

from __future__ import annotations

import zlib
from typing import List

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
