"""Fusion datasets (registry ``DATASETS``) and their transforms (registry ``TRANSFORMS``).

Importing this package registers :class:`MultiSourceFusionDataset`,
:class:`EmbeddedFusionDataset`, the :class:`TaskWeightedSampler` (registry ``DATA_SAMPLERS``)
and every transform of :mod:`fusionbox.datasets.transforms`.
"""

from . import transforms  # noqa: F401  (registers the transforms)
from .embedded_dataset import EmbeddedFusionDataset
from .layouts import LAYOUTS, FusionLayout, get_layout
from .multi_source_dataset import MultiSourceFusionDataset, holdout_stems
from .samplers import TaskWeightedSampler

__all__ = [
    'EmbeddedFusionDataset',
    'FusionLayout',
    'LAYOUTS',
    'MultiSourceFusionDataset',
    'TaskWeightedSampler',
    'get_layout',
    'holdout_stems',
    'transforms',
]
