"""Sensor noise: additive Gaussian read noise and signal-dependent Poisson shot noise.

Ref: A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical Poissonian-Gaussian noise
modeling and fitting for single-image raw-data", IEEE TIP 2008 (the Poisson-Gaussian model:
shot noise with variance proportional to the signal plus signal-independent read noise).
"""

from __future__ import annotations

import numpy as np

from fusionbox.registry import DEGRADATIONS

from .base import STAGE_SENSOR, BaseDegradation, as_range, draw


@DEGRADATIONS.register_module()
class GaussianNoise(BaseDegradation):
    """Additive white Gaussian noise ``y = x + n``, ``n ~ N(0, sigma^2)`` (sensor read noise).

    The noise adds ``sigma^2`` of energy spread evenly over all frequencies, so the
    high-frequency energy of the image rises by about ``sigma^2`` per pixel.

    Args:
        sigma: standard deviation in [0, 1] intensity units, a number or a ``(low, high)``
            range drawn per image. Defaults to (0.02, 0.08) (5 to 20 grey levels of 255).
        color: independent noise per colour channel (chroma noise) when True, the same noise on
            every channel (luminance noise) when False. Defaults to True.
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'gaussian_noise'
    stage = STAGE_SENSOR

    def __init__(self, sigma=(0.02, 0.08), color: bool = True, prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.sigma = as_range(sigma, 'sigma', 0.0, 1.0)
        self.color = color

    def sample_params(self, rng, shape):
        return dict(sigma=draw(rng, self.sigma))

    def render(self, image, params, rng):
        h, w, c = image.shape
        noise = rng.standard_normal((h, w, c if self.color else 1), dtype=np.float32)
        return image + np.float32(params['sigma']) * noise


@DEGRADATIONS.register_module()
class PoissonNoise(BaseDegradation):
    """Photon shot noise: ``y = Poisson(peak * x) / peak`` (variance ``x / peak``).

    ``peak`` is the number of photo-electrons collected at full scale; fewer photons give more
    noise, and brighter pixels are noisier in absolute terms (the signature of shot noise).

    Args:
        peak: photo-electrons at intensity 1, a number or a ``(low, high)`` range drawn per
            image (log-uniformly). Defaults to (20, 300).
        read_sigma: standard deviation of an added Gaussian read noise. Defaults to 0.
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'poisson_noise'
    stage = STAGE_SENSOR

    def __init__(
        self, peak=(20.0, 300.0), read_sigma: float = 0.0, prob: float = 1.0, applies_to=None
    ):
        super().__init__(prob, applies_to)
        self.peak = as_range(peak, 'peak', 1e-3)
        self.read_sigma = float(read_sigma)

    def sample_params(self, rng, shape):
        log_peak = draw(rng, (np.log(self.peak[0]), np.log(self.peak[1])))
        return dict(peak=float(np.exp(log_peak)))

    def render(self, image, params, rng):
        peak = params['peak']
        out = rng.poisson(np.maximum(image, 0.0) * peak).astype(np.float32) / np.float32(peak)
        if self.read_sigma > 0:
            out += np.float32(self.read_sigma) * rng.standard_normal(image.shape, dtype=np.float32)
        return out
