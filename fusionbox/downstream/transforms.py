"""Loading transforms of the downstream bridges, registered in mmdet's and mmseg's
``TRANSFORMS``: images through FusionBox's one reader, class maps checked against the classes.
"""

from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS

from fusionbox.utils.image_io import read_image, to_uint8

from .labels import IGNORE_INDEX, read_class_map


class LoadFusionImage(BaseTransform):
    """Read ``results['img_path']`` with :func:`fusionbox.utils.image_io.read_image` into
    ``results['img']``: uint8 (H, W, 3) in **RGB** order (a grey image is repeated on three
    channels, so infrared, visible and fused inputs feed one network; configs set
    ``bgr_to_rgb=False``). Sets ``img_shape`` and ``ori_shape``."""

    def transform(self, results: dict) -> dict:
        image = to_uint8(read_image(results['img_path']))  # (H, W, C), C = 1 or 3
        if image.shape[2] == 1:
            image = np.repeat(image, 3, axis=2)  # (H, W, 3)
        results['img'] = np.ascontiguousarray(image)
        results['img_shape'] = results['ori_shape'] = image.shape[:2]
        return results


class LoadClassMap(BaseTransform):
    """Read ``results['seg_map_path']`` (a class-map PNG) into ``results['gt_seg_map']`` (H, W)
    uint8 and add it to ``seg_fields``. ValueError naming the file when its size differs from
    ``ori_shape`` or a value is neither a class index (< ``results['num_classes']``) nor 255."""

    def transform(self, results: dict) -> dict:
        path = results['seg_map_path']
        classes = read_class_map(path)  # (H, W) int64
        if 'ori_shape' in results and classes.shape != tuple(results['ori_shape']):
            raise ValueError(
                f'class map {path} is {classes.shape[1]}x{classes.shape[0]} but its image is '
                f'{results["ori_shape"][1]}x{results["ori_shape"][0]}'
            )
        bad = (classes >= results['num_classes']) & (classes != IGNORE_INDEX)
        if bad.any():
            raise ValueError(
                f'class map {path} holds value {int(classes[bad].max())}; expected class '
                f'indices below {results["num_classes"]} or {IGNORE_INDEX} (ignore)'
            )
        results['gt_seg_map'] = classes.astype(np.uint8)
        results.setdefault('seg_fields', []).append('gt_seg_map')
        return results


MMDET_TRANSFORMS.register_module(module=LoadFusionImage)
MMSEG_TRANSFORMS.register_module(module=LoadFusionImage)
MMSEG_TRANSFORMS.register_module(module=LoadClassMap)
