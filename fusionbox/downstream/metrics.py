"""Evaluation metrics of the downstream bridges: mmdet's ``CocoMetric`` and mmseg's
``IoUMetric`` with per-class values in the returned dict (the originals only log them).

Values are those of the parent metrics plus, per class ``<name>``:

* ``ClasswiseCocoMetric``: ``bbox_mAP/<name>`` (IoU 0.50:0.95) and ``bbox_mAP50/<name>``, from
  the same COCO evaluation of the same result files, in [0, 1]; a class without ground-truth
  objects in the test split is left out;
* ``ClasswiseIoUMetric``: ``IoU/<name>`` in percent, as mmseg reports ``mIoU``.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Dict

import numpy as np
from mmdet.evaluation import CocoMetric
from mmdet.registry import METRICS as MMDET_METRICS
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS as MMSEG_METRICS


@MMDET_METRICS.register_module()
class ClasswiseCocoMetric(CocoMetric):
    """``CocoMetric`` (bbox) adding per-class AP and AP50; needs ``outfile_prefix`` (the result
    files it writes there are read back)."""

    def __init__(self, *args, outfile_prefix: str | None = None, **kwargs) -> None:
        if outfile_prefix is None:
            raise ValueError('ClasswiseCocoMetric needs outfile_prefix (where results are written)')
        super().__init__(*args, outfile_prefix=outfile_prefix, **kwargs)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        from pycocotools.cocoeval import COCOeval

        metrics = super().compute_metrics(results)
        with open(f'{self.outfile_prefix}.bbox.json') as f:
            detections = json.load(f)
        if not detections:  # nothing predicted: every class scores 0
            precision = None
        else:
            with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
                coco_eval = COCOeval(self._coco_api, self._coco_api.loadRes(detections), 'bbox')
                coco_eval.params.catIds, coco_eval.params.imgIds = self.cat_ids, self.img_ids
                coco_eval.evaluate()
                coco_eval.accumulate()
            precision = coco_eval.eval['precision']  # (IoU, recall, class, area, max dets)
        for k, cat_id in enumerate(self.cat_ids):
            if not self._coco_api.getAnnIds(imgIds=self.img_ids, catIds=[cat_id]):
                continue
            name = self._coco_api.loadCats(cat_id)[0]['name']
            for key, ious in (('bbox_mAP', slice(None)), ('bbox_mAP50', 0)):
                p = np.zeros(1) if precision is None else precision[ious, :, k, 0, -1]
                p = p[p > -1]
                metrics[f'{key}/{name}'] = round(float(p.mean()) if p.size else 0.0, 4)
        return metrics


@MMSEG_METRICS.register_module()
class ClasswiseIoUMetric(IoUMetric):
    """``IoUMetric`` adding ``IoU/<class>`` (percent) beside ``mIoU``; keys are prefixed
    ``seg/``."""

    default_prefix = 'seg'

    def compute_metrics(self, results: list) -> Dict[str, float]:
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        areas = [sum(column) for column in zip(*results)]  # intersect, union, pred, label
        iou = self.total_area_to_metrics(*areas, ['mIoU'], self.nan_to_num, self.beta)['IoU']
        for name, value in zip(self.dataset_meta['classes'], np.asarray(iou)):
            metrics[f'IoU/{name}'] = round(float(value) * 100, 2)
        return metrics
