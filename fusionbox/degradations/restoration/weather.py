"""Rain and snow removal: bright thin structures replaced by a median (a morphological
top-hat detection), as the classic single-image derainers do without learning."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer, per_channel


def bright_outlier_removal(x: np.ndarray, size: int, threshold: float, dilate: bool) -> np.ndarray:
    """Replace the pixels of grey ``x`` brighter than their ``size`` x ``size`` median by more
    than ``threshold`` (with ``dilate``, their 3 x 3 neighbourhood too) with that median."""
    import cv2

    median = cv2.medianBlur(np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8), size)
    median = median.astype(np.float32) / 255.0
    mask = (x - median > threshold).astype(np.uint8)
    if dilate:
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return np.where(mask.astype(bool), median, x)


@RESTORERS.register_module()
class MedianRainRemoval(BaseRestorer):
    """Rain-streak removal: streaks are thin, bright and a few pixels wide, so a 5 x 5 median
    does not see them; pixels brighter than it are detected (a white top-hat on the median) and
    replaced.

    Ref: the median / morphological derainers compared in Li et al., "Single image deraining: a
    comprehensive benchmark analysis", CVPR 2019 (the non-learned baselines).

    Args:
        size: median window. Defaults to 5.
        threshold: brightness above the median that marks a streak. Defaults to 0.03.
    """

    restores = ('Rain',)

    def __init__(self, size: int = 5, threshold: float = 0.03) -> None:
        self.size, self.threshold = size, threshold

    def restore(self, image):
        return per_channel(
            lambda x: bright_outlier_removal(x, self.size, self.threshold, False), image
        )


@RESTORERS.register_module()
class MedianSnowRemoval(BaseRestorer):
    """Snow removal: flakes are bright blobs up to a few pixels across, removed like rain with a
    wider median, then the thin snow veil lowered by a global offset (the darkest 1% of the
    image is pulled back to its value before the veil: a dark-channel-like floor).

    Ref: as :class:`MedianRainRemoval`; the veil as the airlight term of the haze model.

    Args:
        size: median window. Defaults to 7.
        threshold: brightness above the median that marks a flake. Defaults to 0.04.
    """

    restores = ('Snow',)

    def __init__(self, size: int = 7, threshold: float = 0.04) -> None:
        self.size, self.threshold = size, threshold

    def restore(self, image):
        out = per_channel(
            lambda x: bright_outlier_removal(x, self.size, self.threshold, True), image
        )
        floor = float(np.percentile(out, 1))
        return (out - floor) / max(1.0 - floor, 1e-3)
