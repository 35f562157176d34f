"""Infrared destriping: the column (or row) fixed-pattern offsets estimated and removed."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer, per_channel


def stripe_profile(image: np.ndarray, axis: int = 0, sigma: float = 4.0) -> np.ndarray:
    """The stripe offsets of a grey (H, W) image: the median along ``axis`` (0: one value per
    column) minus its smoothed version (the scene's slow variation across columns)."""
    from scipy.ndimage import gaussian_filter1d

    profile = np.median(image, axis=axis).astype(np.float64)
    return profile - gaussian_filter1d(profile, sigma, mode='reflect')


@RESTORERS.register_module()
class ColumnDestripe(BaseRestorer):
    """Remove column stripes: subtract the high-pass part of the column medians.

    The column offsets of a focal-plane array are constant down a column, so they show in the
    column profile as a high-frequency component that the scene (smooth across columns once
    averaged over the rows) lacks; the median keeps bright objects from leaking into it.

    Ref: the moment-matching / column-statistics destriping of Gadallah et al., "Destriping
    multisensor imagery with moment matching", IJRS 2000.

    Args:
        direction: ``'column'`` or ``'row'`` stripes. Defaults to 'column'.
        sigma: smoothing (in columns) of the profile kept as scene. Defaults to 4.
    """

    restores = ('StripeNoise',)

    def __init__(self, direction: str = 'column', sigma: float = 4.0) -> None:
        if direction not in ('column', 'row'):
            raise ValueError(f"direction must be 'column' or 'row', got {direction!r}")
        self.direction, self.sigma = direction, sigma

    def restore(self, image):
        def one(x):
            if self.direction == 'column':
                return x - stripe_profile(x, 0, self.sigma)[None, :]
            return x - stripe_profile(x, 1, self.sigma)[:, None]

        return per_channel(one, image)
