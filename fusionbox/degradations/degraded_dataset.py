"""A dataset wrapper that degrades the sources of any fusion dataset and writes the prompt."""

from __future__ import annotations

import copy
from typing import List, Sequence

from mmengine.dataset import BaseDataset

from fusionbox.registry import DATASETS

#: Transforms after which the degradation step is inserted (their output is a packed sample).
PACKERS = ('PackFusionInputs',)


@DATASETS.register_module()
class DegradedFusionDataset(BaseDataset):
    """Wrap a fusion dataset: its samples come out with degraded sources and a prompt.

    Each sample carries the degraded sources (``inputs``), the clean sources (data field
    ``clean_sources``, (N, 1, H, W)), the target (``gt`` when the dataset has a ground truth,
    else its ``pseudo_label`` made from the clean sources, when present; metainfo ``target``
    names it), the records (metainfo ``degradations``) and the prompt (metainfo ``prompt``).

    The pipeline is the wrapped dataset's own (or ``pipeline``), with ``degrade`` inserted just
    before ``PackFusionInputs`` (after loading, colour conversion and cropping, so clean and
    degraded sources are aligned) and ``PackFusionInputs`` replaced by
    ``PackDegradedFusionInputs`` with the same arguments. A pipeline that already holds the
    degradation step is used as it is.

    Args:
        dataset: config (or built instance) of the wrapped dataset, e.g.
            ``dict(type='EmbeddedFusionDataset', task='ivf', split='train', seed=0, size=128,
            pipeline=[...])``.
        degrade: config of the degradation step. Defaults to None
            (``dict(type='RandomDegradeSources', seed=0)``).
        pipeline: the pipeline to use instead of the wrapped dataset's. Defaults to None.
        **kwargs: passed to :class:`mmengine.dataset.BaseDataset` (``indices``,
            ``test_mode``, ``max_refetch``...).
    """

    def __init__(
        self,
        dataset: dict | BaseDataset,
        degrade: dict | None = None,
        pipeline: Sequence | None = None,
        **kwargs,
    ):
        if isinstance(dataset, dict):
            cfg = copy.deepcopy(dataset)
            inner_pipeline = cfg.pop('pipeline', [])
            cfg['pipeline'] = []
            self.dataset = DATASETS.build(cfg)
        else:
            self.dataset = dataset
            inner_pipeline = list(getattr(dataset.pipeline, 'transforms', []))
        self.degrade_cfg = copy.deepcopy(degrade or dict(type='RandomDegradeSources', seed=0))
        steps = self.insert_degradation(
            list(inner_pipeline if pipeline is None else pipeline), self.degrade_cfg
        )
        lazy_init = kwargs.pop('lazy_init', False)
        kwargs.setdefault('serialize_data', False)
        super().__init__(
            pipeline=steps,
            lazy_init=True,
            **kwargs,
        )
        # the wrapped dataset's metainfo as it is (passing it to BaseDataset would parse strings
        # as meta files)
        self._metainfo = copy.deepcopy(dict(self.dataset.metainfo))
        if not lazy_init:
            self.full_init()

    @staticmethod
    def insert_degradation(pipeline: List, degrade: dict) -> List:
        """Return ``pipeline`` with ``degrade`` before the packing step (see the class doc)."""
        names = [_type_name(step) for step in pipeline]
        if 'PackDegradedFusionInputs' in names:
            return pipeline
        if not any(n in PACKERS for n in names):
            raise ValueError(
                'the pipeline has no PackFusionInputs step to place the degradation '
                f'before; got {names}'
            )
        out = []
        for step, name in zip(pipeline, names):
            if name in PACKERS:
                if not any(n in ('RandomDegradeSources', 'DegradeSources') for n in names):
                    out.append(copy.deepcopy(degrade))
                out.append(_wrap_packer(step))
            else:
                out.append(step)
        return out

    def load_data_list(self) -> List[dict]:
        """The wrapped dataset's data list (its ``data_list`` entries, ``sample_idx`` set)."""
        self.dataset.full_init()
        return [self.dataset.get_data_info(i) for i in range(len(self.dataset))]

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(dataset={self.dataset!r}, degrade={self.degrade_cfg}, '
            f'len={len(self) if self._fully_initialized else "?"})'
        )


def _type_name(step) -> str:
    if isinstance(step, dict):
        t = step.get('type')
        return t if isinstance(t, str) else getattr(t, '__name__', str(t))
    return type(step).__name__


def _wrap_packer(step):
    if isinstance(step, dict):
        cfg = copy.deepcopy(step)
        cfg['type'] = 'PackDegradedFusionInputs'
        return cfg
    from .transforms import PackDegradedFusionInputs

    return PackDegradedFusionInputs.wrap(step)
