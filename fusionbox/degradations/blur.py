"""Optical blur: Gaussian (lens/atmosphere PSF), camera-shake motion blur, out-of-focus defocus.

Every blur is a convolution with a normalised non-negative point-spread function (PSF) done with
OpenCV (``cv2.filter2D`` / ``cv2.GaussianBlur``, reflected borders); kornia is not used.
"""

from __future__ import annotations

import cv2
import numpy as np

from fusionbox.registry import DEGRADATIONS

from .base import STAGE_OPTICS, BaseDegradation, as_range, draw

_BORDER = cv2.BORDER_REFLECT_101


def convolve(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve every channel of an (H, W, C) image with a 2-D ``kernel`` (reflected borders)."""
    out = cv2.filter2D(image, -1, kernel[::-1, ::-1].astype(np.float32), borderType=_BORDER)
    return out.reshape(image.shape)


def trajectory_kernel(
    rng: np.random.Generator, length: float, anxiety: float, steps: int = 256
) -> np.ndarray:
    """A random camera-shake PSF: a random 2-D trajectory of total ``length`` pixels, rasterised.

    The trajectory is a random walk of constant speed whose direction changes by Gaussian
    jitter, a pull back towards the start (centripetal term) and rare abrupt shakes; ``anxiety``
    (0 to 1) scales how erratic it is (0 = a straight line).

    Paper: G. Boracchi, A. Foi, "Modeling the Performance of Image Restoration From Motion
    Blur", IEEE TIP 2012 (random motion trajectories).
    Ref: the ``createTrajectory`` model of that paper, as used by DeblurGAN (Kupyn et al. 2018).

    Returns:
        (K, K) float32 kernel, K odd, non-negative, summing to 1, centred on its centroid.
    """
    centripetal = 0.7 * rng.uniform()
    gaussian_term = 10.0 * rng.uniform()
    freq_big_shakes = 0.2 * rng.uniform()
    step = length / (steps - 1)
    v = np.exp(1j * rng.uniform(0, 2 * np.pi)) * (anxiety if anxiety > 0 else step)
    shakes = rng.uniform(size=steps)
    turns = rng.uniform(size=steps)
    jitter = rng.standard_normal(steps) + 1j * rng.standard_normal(steps)
    x = np.zeros(steps, dtype=np.complex128)
    for t in range(steps - 1):
        big = (
            2 * v * np.exp(1j * (np.pi + turns[t] - 0.5))
            if shakes[t] < freq_big_shakes * anxiety
            else 0.0
        )
        dv = big + anxiety * (gaussian_term * jitter[t] - centripetal * x[t]) * step
        v = v + dv
        v = v / max(abs(v), 1e-12) * step
        x[t + 1] = x[t] + v
    x -= x.mean()
    size = 2 * int(np.ceil(max(np.abs(x.real).max(), np.abs(x.imag).max()) + 1)) + 1
    return rasterise(x.real + size // 2, x.imag + size // 2, size)


def rasterise(xs: np.ndarray, ys: np.ndarray, size: int) -> np.ndarray:
    """Splat points (pixel coordinates) bilinearly into a (size, size) kernel summing to 1."""
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    kernel = np.zeros((size, size), dtype=np.float64)
    for dy, dx, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (0, 1, fx * (1 - fy)),
        (1, 0, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        np.add.at(kernel, (y0 + dy, x0 + dx), w)
    return (kernel / kernel.sum()).astype(np.float32)


def disk_kernel(radius: float, supersample: int = 5) -> np.ndarray:
    """An anti-aliased pillbox PSF of ``radius`` pixels (the thin-lens out-of-focus PSF)."""
    half = int(np.ceil(radius))
    offsets = (np.arange(supersample) + 0.5) / supersample - 0.5
    grid = np.arange(-half, half + 1)
    ys = (grid[:, None] + offsets[None, :]).reshape(-1)  # (K * s,)
    inside = (ys[:, None] ** 2 + ys[None, :] ** 2) <= radius**2  # (K*s, K*s)
    size = 2 * half + 1
    cover = inside.reshape(size, supersample, size, supersample).mean((1, 3))
    return (cover / cover.sum()).astype(np.float32)


def line_kernel(length: float, angle: float) -> np.ndarray:
    """An anti-aliased straight-line PSF of ``length`` pixels at ``angle`` degrees from the
    vertical (positive = leaning right at the bottom); the streak of a drop or a uniform pan."""
    half = max(length, 1.0) / 2
    size = 2 * int(np.ceil(half)) + 3
    t = np.linspace(-half, half, max(int(4 * length), 2))
    theta = np.deg2rad(angle)
    cx, cy = size // 2 + t * np.sin(theta), size // 2 + t * np.cos(theta)
    return rasterise(cx, cy, size)


@DEGRADATIONS.register_module()
class GaussianBlur(BaseDegradation):
    """Blur with an isotropic Gaussian PSF (lens aberrations, atmospheric turbulence, IR optics).

    Args:
        sigma: PSF standard deviation in pixels, a number or a ``(low, high)`` range.
            Defaults to (1.0, 3.0).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'gaussian_blur'
    stage = STAGE_OPTICS

    def __init__(self, sigma=(1.0, 3.0), prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.sigma = as_range(sigma, 'sigma', 0.0)

    def sample_params(self, rng, shape):
        return dict(sigma=draw(rng, self.sigma))

    def render(self, image, params, rng):
        if params['sigma'] <= 0:
            return image
        out = cv2.GaussianBlur(image, (0, 0), params['sigma'], borderType=_BORDER)
        return out.reshape(image.shape)


@DEGRADATIONS.register_module()
class MotionBlur(BaseDegradation):
    """Camera-shake blur with a random trajectory PSF (see :func:`trajectory_kernel`).

    Paper: G. Boracchi, A. Foi, "Modeling the Performance of Image Restoration From Motion
    Blur", IEEE TIP 2012.

    Args:
        length: total trajectory length in pixels, a number or a ``(low, high)`` range.
            Defaults to (8, 24).
        anxiety: how erratic the trajectory is (0 = straight line), a number or a range in
            [0, 1]. Defaults to (0.0, 0.01).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'motion_blur'
    stage = STAGE_OPTICS

    def __init__(self, length=(8.0, 24.0), anxiety=(0.0, 0.01), prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.length = as_range(length, 'length', 1.0)
        self.anxiety = as_range(anxiety, 'anxiety', 0.0, 1.0)

    def sample_params(self, rng, shape):
        return dict(
            length=draw(rng, self.length),
            anxiety=draw(rng, self.anxiety),
            kernel_seed=int(rng.integers(2**31)),
        )

    def kernel(self, params: dict) -> np.ndarray:
        """The PSF drawn for ``params`` (reproducible from ``kernel_seed``)."""
        rng = np.random.default_rng(params['kernel_seed'])
        return trajectory_kernel(rng, params['length'], params['anxiety'])

    def render(self, image, params, rng):
        return convolve(image, self.kernel(params))


@DEGRADATIONS.register_module()
class DefocusBlur(BaseDegradation):
    """Out-of-focus blur with a pillbox PSF (the geometric-optics circle of confusion).

    Ref: thin-lens defocus model, e.g. S. Chaudhuri, A. N. Rajagopalan, "Depth from Defocus",
    Springer 1999; the disk PSF of the Lytro/MFF synthesis pipelines.

    Args:
        radius: circle-of-confusion radius in pixels, a number or a ``(low, high)`` range.
            Defaults to (1.5, 4.0).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'defocus_blur'
    stage = STAGE_OPTICS

    def __init__(self, radius=(1.5, 4.0), prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.radius = as_range(radius, 'radius', 0.5)

    def sample_params(self, rng, shape):
        return dict(radius=draw(rng, self.radius))

    def render(self, image, params, rng):
        return convolve(image, disk_kernel(params['radius']))
