"""Impulse noise as an example degradation."""

import numpy as np

from fusionbox.degradations import BaseDegradation


class SaltPepperNoise(BaseDegradation):
    """Set a random fraction of pixels to 0 or 1 (impulse noise of a faulty sensor).

    Args:
        amount: fraction of pixels hit. Defaults to 0.02.
        prob: probability of applying it. Defaults to 1.
    """

    applies_to = ('any',)

    def __init__(self, amount: float = 0.02, prob: float = 1.0):
        super().__init__(prob)
        self.amount = amount

    def apply(self, image, rng):
        out = image.copy()
        hit = rng.random(image.shape[:2]) < self.amount
        out[hit] = rng.integers(0, 2, size=int(hit.sum()))[:, None].astype(np.float32)
        return out
