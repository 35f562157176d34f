"""Paired geometric augmentation: one random geometry for every image of a sample."""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from fusionbox.registry import TRANSFORMS

#: Keys that hold one image each and follow the sources' geometry.
PAIRED_KEYS = ('gt', 'pseudo_label', 'chroma', 'mask')


def _apply(results: dict, fn) -> None:
    """Apply ``fn`` to every source and to each paired image present in ``results``."""
    results['sources'] = [fn(s) for s in results['sources']]
    for key in PAIRED_KEYS:
        if results.get(key) is not None:
            results[key] = fn(results[key])


@TRANSFORMS.register_module()
class PairedRandomCrop(BaseTransform):
    """Crop the same random window out of the sources, gt, pseudo-label, chroma and mask.

    Images smaller than the crop are first padded by reflection (mask with 0) on the bottom and
    right, so the crop always has the requested size.

    Required keys: ``sources``. Modified: ``sources`` and the paired keys, ``img_shape``.
    Added: ``crop_bbox`` (x0, y0, x1, y1) in the padded image.

    Args:
        size: crop (H, W), or one int for a square.
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        size = (size, size) if isinstance(size, int) else tuple(size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f'crop size must be a positive int or (H, W), got {size}')
        self.size: Tuple[int, int] = (int(size[0]), int(size[1]))

    @cache_randomness
    def _offset(self, h: int, w: int) -> Tuple[int, int]:
        return (
            np.random.randint(0, h - self.size[0] + 1),
            np.random.randint(0, w - self.size[1] + 1),
        )

    def transform(self, results: dict) -> dict:
        h, w = results['sources'][0].shape[:2]
        ch, cw = self.size
        ph, pw = max(ch - h, 0), max(cw - w, 0)
        if ph or pw:

            def pad(im):
                width = ((0, ph), (0, pw)) + ((0, 0),) * (im.ndim - 2)
                mode = 'constant' if im.dtype == np.uint8 else 'reflect'
                return np.pad(im, width, mode=mode)

            _apply(results, pad)
            h, w = h + ph, w + pw
        y0, x0 = self._offset(h, w)
        _apply(results, lambda im: np.ascontiguousarray(im[y0 : y0 + ch, x0 : x0 + cw]))
        results['crop_bbox'] = (x0, y0, x0 + cw, y0 + ch)
        results['img_shape'] = (ch, cw)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


@TRANSFORMS.register_module()
class PairedRandomFlip(BaseTransform):
    """Flip the sources, gt, pseudo-label, chroma and mask together.

    Required keys: ``sources``. Modified: ``sources`` and the paired keys.
    Added: ``flip`` (bool), ``flip_direction`` (str or None).

    Args:
        prob: probability of flipping. Defaults to 0.5.
        direction: 'horizontal', 'vertical', or a list to choose from uniformly.
            Defaults to 'horizontal'.
    """

    _AXIS = {'horizontal': 1, 'vertical': 0}

    def __init__(self, prob: float = 0.5, direction: str | Sequence[str] = 'horizontal') -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        directions = [direction] if isinstance(direction, str) else list(direction)
        for d in directions:
            if d not in self._AXIS:
                raise ValueError(f'unknown flip direction {d!r}; use {tuple(self._AXIS)}')
        self.prob, self.directions = prob, directions

    @cache_randomness
    def _choose(self):
        if np.random.rand() >= self.prob:
            return None
        return self.directions[np.random.randint(len(self.directions))]

    def transform(self, results: dict) -> dict:
        direction = self._choose()
        if direction is not None:
            axis = self._AXIS[direction]
            _apply(results, lambda im: np.ascontiguousarray(np.flip(im, axis=axis)))
        results['flip'] = direction is not None
        results['flip_direction'] = direction
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob}, direction={self.directions})'
