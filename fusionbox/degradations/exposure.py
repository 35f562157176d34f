"""Exposure and tone: low light (with its noise), over-exposure (saturation), low contrast.

The tone maps are monotone non-decreasing in the intensity, so without noise they keep the
ordering of intensities; the same map is applied to every colour channel (hue is kept).
"""

from __future__ import annotations

import numpy as np

from fusionbox.registry import DEGRADATIONS

from .base import STAGE_EXPOSURE, VISIBLE, BaseDegradation, as_range, draw


@DEGRADATIONS.register_module()
class LowLight(BaseDegradation):
    """Low-light capture: a darkening tone curve ``y = gain * x^gamma`` plus Poisson-Gaussian
    noise ``n ~ N(0, shot * y + read^2)`` (few photons: the noise is large relative to the
    signal).

    Paper: F. Lv, Y. Li, F. Lu, "Attention guided low-light image enhancement with a large scale
    low-light simulation dataset", IJCV 2021 (gamma + linear darkening with Poisson-Gaussian
    noise).
    Ref: A. Foi et al., "Practical Poissonian-Gaussian noise modeling", IEEE TIP 2008.

    Args:
        gain: linear attenuation of the light in (0, 1]. Defaults to (0.1, 0.4).
        gamma: exponent (> 1 darkens the mid-tones more than the highlights).
            Defaults to (1.2, 2.0).
        shot: shot-noise variance per unit signal (0 disables it). Defaults to (0.0, 0.002).
        read: read-noise standard deviation (0 disables it). Defaults to (0.0, 0.01).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (visible sources).
    """

    key = 'low_light'
    stage = STAGE_EXPOSURE
    applies_to = VISIBLE

    def __init__(
        self,
        gain=(0.1, 0.4),
        gamma=(1.2, 2.0),
        shot=(0.0, 0.002),
        read=(0.0, 0.01),
        prob: float = 1.0,
        applies_to=None,
    ):
        super().__init__(prob, applies_to)
        self.gain = as_range(gain, 'gain', 1e-3, 1.0)
        self.gamma = as_range(gamma, 'gamma', 0.1)
        self.shot = as_range(shot, 'shot', 0.0)
        self.read = as_range(read, 'read', 0.0)

    def sample_params(self, rng, shape):
        return dict(
            gain=draw(rng, self.gain),
            gamma=draw(rng, self.gamma),
            shot=draw(rng, self.shot),
            read=draw(rng, self.read),
        )

    def render(self, image, params, rng):
        dark = np.float32(params['gain']) * np.power(np.maximum(image, 0.0), params['gamma'])
        if params['shot'] <= 0 and params['read'] <= 0:
            return dark
        std = np.sqrt(params['shot'] * dark + params['read'] ** 2)
        return dark + std * rng.standard_normal(image.shape, dtype=np.float32)


@DEGRADATIONS.register_module()
class OverExposure(BaseDegradation):
    """Over-exposure: the scene radiance is scaled by ``2^ev`` before the sensor saturates.

    ``y = min(1, x^g * 2^ev)^(1/g)`` with a display gamma ``g``: highlights clip to white and
    lose their detail, mid-tones brighten; the map is monotone.

    Ref: P. E. Debevec, J. Malik, "Recovering high dynamic range radiance maps from
    photographs", SIGGRAPH 1997 (exposure and camera response).

    Args:
        ev: over-exposure in stops (exposure values). Defaults to (1.0, 2.5).
        gamma: display gamma linking pixel values to radiance. Defaults to 2.2.
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (visible sources).
    """

    key = 'over_exposure'
    stage = STAGE_EXPOSURE
    applies_to = VISIBLE

    def __init__(self, ev=(1.0, 2.5), gamma: float = 2.2, prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.ev = as_range(ev, 'ev', 0.0)
        if gamma <= 0:
            raise ValueError(f'gamma must be > 0, got {gamma}')
        self.gamma = float(gamma)

    def sample_params(self, rng, shape):
        return dict(ev=draw(rng, self.ev))

    def render(self, image, params, rng):
        radiance = np.power(np.maximum(image, 0.0), self.gamma) * np.float32(2.0 ** params['ev'])
        return np.power(np.minimum(radiance, 1.0), 1.0 / self.gamma)


@DEGRADATIONS.register_module()
class LowContrast(BaseDegradation):
    """Low contrast: intensities squeezed towards the mean, ``y = m + factor (x - m)``.

    Models a flat scene: thermal crossover in infrared (objects and background at the same
    temperature), flat lighting or veiling glare in visible light, a narrow window in scans.

    Args:
        factor: contrast kept, in (0, 1]. Defaults to (0.3, 0.7).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'low_contrast'
    stage = STAGE_EXPOSURE

    def __init__(self, factor=(0.3, 0.7), prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.factor = as_range(factor, 'factor', 0.0, 1.0)

    def sample_params(self, rng, shape):
        return dict(factor=draw(rng, self.factor))

    def render(self, image, params, rng):
        mean = np.float32(image.mean())
        return mean + np.float32(params['factor']) * (image - mean)
