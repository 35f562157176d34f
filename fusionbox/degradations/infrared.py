"""Infrared-specific degradations: stripe (column) fixed-pattern noise."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import DEGRADATIONS

from .base import INFRARED, STAGE_SENSOR, BaseDegradation, as_range, draw


@DEGRADATIONS.register_module()
class StripeNoise(BaseDegradation):
    """Stripe noise of infrared focal-plane arrays: a gain and an offset per readout column.

    Uncooled microbolometer arrays read each column through its own amplifier; their
    non-uniform response leaves ``y = g_c x + o_c`` with ``o_c ~ N(0, sigma^2)`` and
    ``g_c ~ N(1, gain_sigma^2)`` constant down a column, i.e. energy that is perfectly
    correlated along columns.

    Paper: X. Kuang, X. Sui, Q. Chen, G. Gu, "Single infrared image stripe noise removal using
    deep convolutional networks", IEEE Photonics Journal 2017 (the column offset model).

    Args:
        sigma: standard deviation of the column offsets. Defaults to (0.02, 0.08).
        gain_sigma: standard deviation of the column gains around 1. Defaults to (0.0, 0.05).
        direction: ``'column'`` (vertical stripes) or ``'row'``. Defaults to 'column'.
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (infrared sources).
    """

    key = 'stripe_noise'
    stage = STAGE_SENSOR
    applies_to = INFRARED

    def __init__(
        self,
        sigma=(0.02, 0.08),
        gain_sigma=(0.0, 0.05),
        direction: str = 'column',
        prob: float = 1.0,
        applies_to=None,
    ):
        super().__init__(prob, applies_to)
        self.sigma = as_range(sigma, 'sigma', 0.0, 1.0)
        self.gain_sigma = as_range(gain_sigma, 'gain_sigma', 0.0, 1.0)
        if direction not in ('column', 'row'):
            raise ValueError(f"direction must be 'column' or 'row', got {direction!r}")
        self.direction = direction

    def sample_params(self, rng, shape):
        return dict(sigma=draw(rng, self.sigma), gain_sigma=draw(rng, self.gain_sigma))

    def render(self, image, params, rng):
        h, w = image.shape[:2]
        n = w if self.direction == 'column' else h
        offset = rng.normal(0.0, params['sigma'], n).astype(np.float32)
        gain = (1.0 + rng.normal(0.0, params['gain_sigma'], n)).astype(np.float32)
        if self.direction == 'column':
            return image * gain[None, :, None] + offset[None, :, None]
        return image * gain[:, None, None] + offset[:, None, None]
