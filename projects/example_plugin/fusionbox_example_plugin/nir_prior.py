"""A training-free prior for NIR-RGB fusion: the RGB luma's base with the strongest detail."""

import cv2
import numpy as np

from fusionbox.pseudo_labels.priors.base import BasePrior


class NIRDetailTransfer(BasePrior):
    """Base layer of the RGB luma (Gaussian, ``sigma``) plus, per pixel, the detail layer of
    larger magnitude of the two sources (the NIR's detail where haze hides the RGB's).

    Ref: L. Schaul, C. Fredembach and S. Süsstrunk, "Color image dehazing using the
    near-infrared", ICIP 2009 (multi-resolution detail from the NIR).

    Args:
        sigma: Gaussian blur of the base layer, in pixels. Defaults to 4.
    """

    tasks = ('nir',)

    def __init__(self, sigma: float = 4.0):
        self.sigma = sigma

    def fuse(self, lumas, sources=(), sample=None):
        nir, rgb = lumas[0], lumas[-1]  # (H, W) each, in the task's role order

        def base(x):
            return cv2.GaussianBlur(x.astype(np.float32), (0, 0), self.sigma)

        detail = np.stack([nir - base(nir), rgb - base(rgb)])  # (2, H, W)
        pick = np.abs(detail).argmax(0)[None]  # (1, H, W)
        return base(rgb) + np.take_along_axis(detail, pick, 0)[0]
