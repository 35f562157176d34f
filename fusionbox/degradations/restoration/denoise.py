"""Denoising restorers: non-local means (OpenCV) with the noise level estimated per image."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer, per_channel


def estimate_noise_sigma(image: np.ndarray) -> float:
    """Noise standard deviation of a grey (H, W) image, from its finest wavelet subband.

    Ref: Donoho and Johnstone, "Ideal spatial adaptation by wavelet shrinkage", Biometrika 1994
    (median absolute deviation of the diagonal detail, via ``skimage.restoration.estimate_sigma``).
    """
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(image.astype(np.float64), channel_axis=None))


@RESTORERS.register_module()
class NonLocalMeansDenoise(BaseRestorer):
    """Non-local means denoising (OpenCV ``fastNlMeansDenoising``), ``h`` set from the noise level.

    Paper: Buades, Coll and Morel, "A non-local algorithm for image denoising", CVPR 2005.

    Args:
        strength: the filter parameter ``h`` in multiples of the estimated noise sigma.
            Defaults to 1.0.
        template: template window size. Defaults to 7.
        search: search window size. Defaults to 21.
    """

    restores = ('GaussianNoise', 'PoissonNoise')

    def __init__(self, strength: float = 1.0, template: int = 7, search: int = 21) -> None:
        self.strength, self.template, self.search = strength, template, search

    def restore(self, image):
        import cv2

        def one(x):
            sigma = estimate_noise_sigma(x) * 255.0
            if sigma < 0.5:  # already clean
                return x
            data = np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)
            out = cv2.fastNlMeansDenoising(
                data, None, float(self.strength * sigma), self.template, self.search
            )
            return out.astype(np.float32) / 255.0

        return per_channel(one, image)


@RESTORERS.register_module()
class BilateralDenoise(BaseRestorer):
    """Bilateral filter (OpenCV), range sigma from the estimated noise level: an edge-keeping
    alternative to non-local means (not chosen by default: ``priority`` -1).

    Paper: Tomasi and Manduchi, "Bilateral filtering for gray and color images", ICCV 1998.

    Args:
        diameter: neighbourhood diameter. Defaults to 7.
        space_sigma: spatial sigma in pixels. Defaults to 3.
    """

    restores = ('GaussianNoise', 'PoissonNoise')
    priority = -1

    def __init__(self, diameter: int = 7, space_sigma: float = 3.0) -> None:
        self.diameter, self.space_sigma = diameter, space_sigma

    def restore(self, image):
        import cv2

        def one(x):
            sigma = max(estimate_noise_sigma(x), 1e-3)
            return cv2.bilateralFilter(x, self.diameter, 2.0 * sigma, self.space_sigma)

        return per_channel(one, image)
