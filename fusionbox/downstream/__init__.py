"""Downstream evaluation of fused images: object detection (mmdet) and semantic segmentation
(mmsegmentation) trained and tested on fused, infrared-only and visible-only inputs.

The bridges register into the OpenMMLab toolboxes' own registries (never FusionBox's), so they
are built with ``default_scope='mmdet'`` or ``'mmseg'``; importing this package registers them:

* mmdet ``DATASETS``: :class:`FolderDetDataset` (YOLO text or COCO JSON boxes);
* mmseg ``DATASETS``: :class:`FolderSegDataset` (PNG class maps);
* ``TRANSFORMS``: :class:`LoadFusionImage` (both toolboxes), :class:`LoadClassMap` (mmseg);
* ``METRICS``: :class:`ClasswiseCocoMetric` (mmdet), :class:`ClasswiseIoUMetric` (mmseg).

:func:`run_downstream` runs a protocol (``retrain`` per input, or one ``frozen`` model evaluated
on every input) and :mod:`.report` writes the table and the figure. mmdet and mmseg are imported
here, so FusionBox's built-in plugin does not import this package.
"""

from .det_dataset import FolderDetDataset
from .metrics import ClasswiseCocoMetric, ClasswiseIoUMetric
from .protocol import HEADLINE, PROTOCOLS, TASKS, run_downstream
from .seg_dataset import FolderSegDataset
from .transforms import LoadClassMap, LoadFusionImage

__all__ = [
    'HEADLINE',
    'PROTOCOLS',
    'TASKS',
    'ClasswiseCocoMetric',
    'ClasswiseIoUMetric',
    'FolderDetDataset',
    'FolderSegDataset',
    'LoadClassMap',
    'LoadFusionImage',
    'run_downstream',
]
