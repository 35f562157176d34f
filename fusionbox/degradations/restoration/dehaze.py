"""Dehazing restorer: the dark channel prior with a guided-filter refined transmission."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer


def dark_channel(image: np.ndarray, patch: int = 15) -> np.ndarray:
    """He et al.'s dark channel of (H, W, C): the minimum over channels, then a ``patch`` x
    ``patch`` minimum filter (grey erosion)."""
    import cv2

    kernel = np.ones((patch, patch), np.uint8)
    return cv2.erode(image.min(axis=2).astype(np.float32), kernel)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """The grey guided filter (box filters), edge-aware smoothing of ``src`` along ``guide``.

    Paper: He, Sun and Tang, "Guided image filtering", ECCV 2010 / TPAMI 2013.
    """
    import cv2

    size = (2 * radius + 1, 2 * radius + 1)

    def box(x):
        return cv2.boxFilter(x, cv2.CV_32F, size, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = box(guide), box(src)
    var_i = box(guide * guide) - mean_i * mean_i
    cov_ip = box(guide * src) - mean_i * mean_p
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box(a) * guide + box(b)


@RESTORERS.register_module()
class DarkChannelDehaze(BaseRestorer):
    """Single-image dehazing by the dark channel prior: airlight from the brightest 0.1% of the
    dark channel, transmission ``1 - omega * dark(I / A)`` refined by a guided filter, scene
    radiance ``(I - A) / max(t, t0) + A``.

    Paper: He, Sun and Tang, "Single image haze removal using dark channel prior", CVPR 2009.

    Args:
        patch: dark-channel patch size. Defaults to 15.
        omega: haze kept for depth perception is ``1 - omega``. Defaults to 0.95.
        t0: lower bound of the transmission. Defaults to 0.1.
        radius: guided-filter radius. Defaults to 30.
        eps: guided-filter regularisation. Defaults to 1e-3.
    """

    restores = ('Haze',)

    def __init__(self, patch=15, omega=0.95, t0=0.1, radius=30, eps=1e-3) -> None:
        self.patch, self.omega, self.t0, self.radius, self.eps = patch, omega, t0, radius, eps

    def restore(self, image):
        dark = dark_channel(image, self.patch)
        count = max(1, dark.size // 1000)
        brightest = np.argsort(dark.ravel())[-count:]
        airlight = np.maximum(image.reshape(-1, image.shape[2])[brightest].mean(axis=0), 1e-3)
        transmission = 1.0 - self.omega * dark_channel(image / airlight, self.patch)
        grey = image.mean(axis=2).astype(np.float32)
        transmission = guided_filter(grey, transmission.astype(np.float32), self.radius, self.eps)
        t = np.maximum(transmission, self.t0)[..., None]
        return (image - airlight) / t + airlight
