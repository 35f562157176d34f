"""Fusion datasets (registry ``DATASETS``) and their transforms (registry ``TRANSFORMS``).

Importing this package registers :class:`MultiSourceFusionDataset`,
:class:`EmbeddedFusionDataset`, :class:`FusionConcatDataset`, :class:`MultiTaskFusionDataset`,
the :class:`TaskWeightedSampler` (registry ``DATA_SAMPLERS``) and every transform of
:mod:`fusionbox.datasets.transforms`.
"""

from . import transforms  # noqa: F401  (registers the transforms)
from .embedded_dataset import EmbeddedFusionDataset
from .fusion_concat_dataset import FusionConcatDataset
from .layouts import LAYOUTS, FusionLayout, get_layout
from .multi_source_dataset import MultiSourceFusionDataset, holdout_stems
from .multi_task_dataset import MultiTaskFusionDataset
from .samplers import TaskWeightedSampler

__all__ = [
    'EmbeddedFusionDataset',
    'FusionConcatDataset',
    'FusionLayout',
    'LAYOUTS',
    'MultiSourceFusionDataset',
    'MultiTaskFusionDataset',
    'TaskWeightedSampler',
    'get_layout',
    'holdout_stems',
    'transforms',
]
