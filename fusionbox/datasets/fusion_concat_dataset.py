"""The datasets of several tasks (or sets) as one, optionally all degraded the same way."""

from __future__ import annotations

import copy
from typing import Sequence

from mmengine.dataset import BaseDataset, ConcatDataset

from fusionbox.registry import DATASETS


@DATASETS.register_module()
class FusionConcatDataset(ConcatDataset):
    """MMEngine's ``ConcatDataset`` of fusion datasets, with one ``degrade`` for all of them.

    With ``degrade`` every member is wrapped by
    :class:`~fusionbox.degradations.DegradedFusionDataset` (its degradation step inserted before
    the member's ``PackFusionInputs``), so a config turns a clean base into a degraded one by
    dict, without restating the members::

        train_dataloader = dict(dataset=dict(degrade=dict(type='RandomDegradeSources', seed=None)))

    Args:
        datasets: the member datasets (configs or built).
        ignore_keys: metainfo keys that may differ between members (as ``ConcatDataset``).
            Defaults to None.
        degrade: the degradation step of every member (a ``TRANSFORMS`` config such as
            ``dict(type='RandomDegradeSources', seed=0)``); None: the members as they are.
            Defaults to None.
        lazy_init: as ``ConcatDataset``. Defaults to False.
    """

    def __init__(
        self,
        datasets: Sequence[BaseDataset | dict],
        ignore_keys: str | list | None = None,
        degrade: dict | None = None,
        lazy_init: bool = False,
    ) -> None:
        self.degrade = copy.deepcopy(degrade)
        if degrade is not None:
            datasets = [
                dict(type='DegradedFusionDataset', dataset=d, degrade=copy.deepcopy(degrade))
                for d in datasets
            ]
        super().__init__(datasets, lazy_init=lazy_init, ignore_keys=ignore_keys)
