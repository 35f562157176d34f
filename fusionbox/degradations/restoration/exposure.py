"""Exposure and contrast restorers: adaptive gamma (low light, over-exposure) and CLAHE."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer, per_channel


@RESTORERS.register_module()
class AdaptiveGamma(BaseRestorer):
    """Gamma correction that maps the image's mean to ``target``: ``y = x^g`` with
    ``g = log(target) / log(mean)`` (brightens a dark image, darkens an over-exposed one).

    Ref: the classic gamma (power-law) transform; the image-adaptive exponent follows e.g.
    Rahman et al., "An adaptive gamma correction for image enhancement", EURASIP JIVP 2016.

    Args:
        target: the mean intensity after correction. Defaults to 0.45.
        limits: the range of the exponent. Defaults to (0.2, 5.0).
    """

    restores = ('LowLight', 'OverExposure')

    def __init__(self, target: float = 0.45, limits=(0.2, 5.0)) -> None:
        self.target, self.limits = target, tuple(limits)

    def restore(self, image):
        mean = float(np.clip(image.mean(), 1e-3, 1 - 1e-3))
        gamma = float(np.clip(np.log(self.target) / np.log(mean), *self.limits))
        return np.power(np.maximum(image, 0.0), gamma)


@RESTORERS.register_module()
class CLAHEContrast(BaseRestorer):
    """Contrast-limited adaptive histogram equalisation (OpenCV ``createCLAHE``).

    Paper: Zuiderveld, "Contrast limited adaptive histogram equalization", Graphics Gems IV, 1994.

    Args:
        clip_limit: contrast limit per tile. Defaults to 2.0.
        tiles: tile grid size. Defaults to 4.
    """

    restores = ('LowContrast',)

    def __init__(self, clip_limit: float = 2.0, tiles: int = 4) -> None:
        self.clip_limit, self.tiles = clip_limit, tiles

    def restore(self, image):
        import cv2

        clahe = cv2.createCLAHE(clipLimit=self.clip_limit, tileGridSize=(self.tiles, self.tiles))

        def one(x):
            data = np.clip(x * 65535.0 + 0.5, 0, 65535).astype(np.uint16)
            return clahe.apply(data).astype(np.float32) / 65535.0

        return per_channel(one, image)
