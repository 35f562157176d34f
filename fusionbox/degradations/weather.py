"""Bad weather in visible-light photographs: rain streaks, snow, haze.

Thermal infrared is little affected by rain drops and snow flakes in front of the camera, so
these are registered for the visible-light sources (:data:`fusionbox.degradations.base.VISIBLE`)
only. Layers are rendered with OpenCV filters (kornia is not used).
"""

from __future__ import annotations

import cv2
import numpy as np

from fusionbox.registry import DEGRADATIONS

from .base import STAGE_SCENE, VISIBLE, BaseDegradation, as_range, draw, luma
from .blur import line_kernel


def smooth_field(rng: np.random.Generator, shape: tuple, cells: int = 4) -> np.ndarray:
    """A smooth random (H, W) field in [0, 1]: a coarse uniform grid, bicubically upsampled."""
    h, w = shape
    coarse = rng.random((cells, cells)).astype(np.float32)
    return np.clip(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)


def _screen(image: np.ndarray, layer: np.ndarray) -> np.ndarray:
    """Screen blend ``1 - (1 - image)(1 - layer)`` of an (H, W) layer over an (H, W, C) image."""
    return 1.0 - (1.0 - image) * (1.0 - layer[..., None])


@DEGRADATIONS.register_module()
class Rain(BaseDegradation):
    """Rain streaks: layers of drops blurred along their fall over the exposure, screen-blended.

    Each layer is a sparse field of drops convolved with a line PSF (a drop moving during the
    exposure leaves a streak); nearer layers have longer, brighter, sparser streaks. The layers
    are added with the screen blend, the rendering of the Rain100L/H data sets.

    Paper: K. Garg, S. K. Nayar, "Photorealistic rendering of rain streaks", SIGGRAPH 2006.
    Ref: W. Yang et al., "Deep joint rain detection and removal from a single image", CVPR 2017
    (the ``O = B + S`` layer model and the Rain100L/H synthesis).

    Args:
        density: fraction of pixels seeding a drop in the nearest layer. Defaults to
            (0.002, 0.006).
        length: streak length in pixels of the nearest layer. Defaults to (12.0, 40.0).
        angle: streak angle in degrees from the vertical. Defaults to (-25.0, 25.0).
        intensity: peak brightness added by the nearest layer, in [0, 1]. Defaults to
            (0.4, 0.8).
        layers: number of depth layers, drawn as an integer. Defaults to (1, 3).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (visible sources).
    """

    key = 'rain'
    stage = STAGE_SCENE
    applies_to = VISIBLE

    def __init__(
        self,
        density=(0.002, 0.006),
        length=(12.0, 40.0),
        angle=(-25.0, 25.0),
        intensity=(0.4, 0.8),
        layers=(1, 3),
        prob: float = 1.0,
        applies_to=None,
    ):
        super().__init__(prob, applies_to)
        self.density = as_range(density, 'density', 0.0, 1.0)
        self.length = as_range(length, 'length', 1.0)
        self.angle = as_range(angle, 'angle', -90.0, 90.0)
        self.intensity = as_range(intensity, 'intensity', 0.0, 1.0)
        self.layers = as_range(layers, 'layers', 1, 8)

    def sample_params(self, rng, shape):
        return dict(
            density=draw(rng, self.density),
            length=draw(rng, self.length),
            angle=draw(rng, self.angle),
            intensity=draw(rng, self.intensity),
            layers=int(rng.integers(self.layers[0], self.layers[1] + 1)),
        )

    def streaks(self, params: dict, shape: tuple, rng: np.random.Generator) -> np.ndarray:
        """The (H, W) rain layer in [0, 1] for ``params``."""
        h, w = shape[:2]
        total = np.zeros((h, w), dtype=np.float32)
        n = params['layers']
        for i in range(n):
            far = i / max(n - 1, 1)  # 0 = nearest layer, 1 = farthest
            length = params['length'] * (1.0 - 0.5 * far)
            density = params['density'] * (1.0 + far)
            seeds = (rng.random((h, w), dtype=np.float32) < density).astype(np.float32)
            seeds *= rng.uniform(0.6, 1.0, (h, w)).astype(np.float32)
            if far < 0.5:  # near drops are wider than one pixel
                seeds = cv2.GaussianBlur(seeds, (0, 0), 0.6) * 2.0
            angle = params['angle'] + rng.normal(0.0, 2.0)
            kernel = line_kernel(length, angle) * (0.25 * length)  # brightness of one streak
            layer = cv2.filter2D(seeds, -1, kernel, borderType=cv2.BORDER_REFLECT_101)
            layer = np.clip(layer, 0.0, 1.0) * params['intensity'] * (1.0 - 0.4 * far)
            total = 1.0 - (1.0 - total) * (1.0 - layer)
        return total

    def render(self, image, params, rng):
        return _screen(image, self.streaks(params, image.shape, rng))


@DEGRADATIONS.register_module()
class Snow(BaseDegradation):
    """Snow: falling flakes alpha-composited over the scene, plus the bright veil of snowfall.

    ``K = A * z + B * (1 - z)``: flakes of brightness ``A`` with an alpha mask ``z`` (Gaussian
    blobs of several sizes, slightly streaked along their fall) over the scene ``B``, which is
    first veiled by the light scattered by the snowfall.

    Paper: Y.-F. Liu et al., "DesnowNet: Context-aware deep network for snow removal", IEEE TIP
    2018 (Snow100K: the snow mask compositing model).

    Args:
        density: fraction of pixels seeding a flake (small flakes; large ones are 5x rarer).
            Defaults to (0.002, 0.006).
        size: flake radius in pixels (Gaussian sigma of the large flakes). Defaults to
            (1.0, 2.5).
        fall: streak length of the fall over the exposure, in pixels. Defaults to (0.0, 6.0).
        angle: fall angle in degrees from the vertical. Defaults to (-30.0, 30.0).
        veil: strength of the scattered-light veil, in [0, 1]. Defaults to (0.05, 0.2).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (visible sources).
    """

    key = 'snow'
    stage = STAGE_SCENE
    applies_to = VISIBLE

    def __init__(
        self,
        density=(0.002, 0.006),
        size=(1.0, 2.5),
        fall=(0.0, 6.0),
        angle=(-30.0, 30.0),
        veil=(0.05, 0.2),
        prob: float = 1.0,
        applies_to=None,
    ):
        super().__init__(prob, applies_to)
        self.density = as_range(density, 'density', 0.0, 1.0)
        self.size = as_range(size, 'size', 0.3)
        self.fall = as_range(fall, 'fall', 0.0)
        self.angle = as_range(angle, 'angle', -90.0, 90.0)
        self.veil = as_range(veil, 'veil', 0.0, 1.0)

    def sample_params(self, rng, shape):
        return dict(
            density=draw(rng, self.density),
            size=draw(rng, self.size),
            fall=draw(rng, self.fall),
            angle=draw(rng, self.angle),
            veil=draw(rng, self.veil),
        )

    def flakes(self, params: dict, shape: tuple, rng: np.random.Generator) -> np.ndarray:
        """The (H, W) flake alpha mask in [0, 1] for ``params``."""
        h, w = shape[:2]
        alpha = np.zeros((h, w), dtype=np.float32)
        for sigma, density in (
            (params['size'], params['density'] / 5),
            (params['size'] * 0.45, params['density']),
        ):
            seeds = (rng.random((h, w), dtype=np.float32) < density).astype(np.float32)
            seeds *= rng.uniform(0.7, 1.0, (h, w)).astype(np.float32)
            blobs = cv2.GaussianBlur(seeds, (0, 0), sigma) * (2 * np.pi * sigma**2)
            if params['fall'] >= 1.0:
                kernel = line_kernel(params['fall'], params['angle'])
                blobs = cv2.filter2D(blobs, -1, kernel) * min(2.0, 0.5 * params['fall'])
            alpha = 1.0 - (1.0 - alpha) * (1.0 - np.clip(blobs * 1.2, 0.0, 1.0))
        return alpha

    def render(self, image, params, rng):
        veiled = image * (1.0 - params['veil']) + params['veil'] * 0.9
        alpha = self.flakes(params, image.shape, rng)[..., None]
        return veiled * (1.0 - alpha) + alpha * 0.97


@DEGRADATIONS.register_module()
class Haze(BaseDegradation):
    """Haze / fog by the atmospheric scattering model ``I = J t + A (1 - t)``, ``t = e^(-beta d)``.

    No depth is known, so a depth proxy ``d`` in [0, 1] is built from cues of outdoor scenes:
    the row (the top of the frame is usually farther: ground plane and sky), the blurred
    brightness (bright regions are often sky or far) and a smooth random field (scene layout),
    mixed with ``depth_weights``.

    Paper: S. G. Narasimhan, S. K. Nayar, "Vision and the atmosphere", IJCV 2002
    (Koschmieder's law).
    Ref: K. He, J. Sun, X. Tang, "Single image haze removal using dark channel prior", CVPR 2009;
    B. Li et al., "Benchmarking single-image dehazing and beyond" (RESIDE), IEEE TIP 2019.

    Args:
        beta: scattering coefficient (optical thickness at the far end). Defaults to (0.8, 2.5).
        airlight: atmospheric light ``A`` in [0, 1]. Defaults to (0.7, 0.95).
        depth_weights: weights of (row, brightness, random field) in the depth proxy.
            Defaults to (0.6, 0.2, 0.2).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (visible sources).
    """

    key = 'haze'
    stage = STAGE_SCENE
    applies_to = VISIBLE

    def __init__(
        self,
        beta=(0.8, 2.5),
        airlight=(0.7, 0.95),
        depth_weights=(0.6, 0.2, 0.2),
        prob: float = 1.0,
        applies_to=None,
    ):
        super().__init__(prob, applies_to)
        self.beta = as_range(beta, 'beta', 0.0)
        self.airlight = as_range(airlight, 'airlight', 0.0, 1.0)
        if len(depth_weights) != 3 or min(depth_weights) < 0 or sum(depth_weights) <= 0:
            raise ValueError(f'depth_weights must be 3 non-negative weights, got {depth_weights}')
        self.depth_weights = tuple(float(v) for v in depth_weights)

    def sample_params(self, rng, shape):
        return dict(beta=draw(rng, self.beta), airlight=draw(rng, self.airlight))

    def depth(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The (H, W) depth proxy in [0, 1] (1 = far)."""
        h, w = image.shape[:2]
        rows = np.linspace(1.0, 0.0, h, dtype=np.float32)[:, None] * np.ones((1, w), np.float32)
        small = cv2.resize(
            luma(image), (max(w // 8, 1), max(h // 8, 1)), interpolation=cv2.INTER_AREA
        )
        bright = cv2.resize(
            cv2.GaussianBlur(small, (0, 0), 2.0), (w, h), interpolation=cv2.INTER_LINEAR
        )
        field = smooth_field(rng, (h, w))
        wr, wb, wf = self.depth_weights
        depth = (wr * rows + wb * bright + wf * field) / (wr + wb + wf)
        lo, hi = float(depth.min()), float(depth.max())
        return (depth - lo) / (hi - lo) if hi > lo else np.full_like(depth, 0.5)

    def render(self, image, params, rng):
        t = np.exp(-params['beta'] * self.depth(image, rng))[..., None]  # (H, W, 1)
        return image * t + params['airlight'] * (1.0 - t)
