"""The interface every degradation follows (built-in or from a plugin)."""
from __future__ import annotations

import numpy as np


class BaseDegradation:
    """A synthetic degradation of one source image.

    Subclasses implement :meth:`apply`; ``applies_to`` names the source kinds it is meant for
    (source folder names such as ``'vi'`` or ``'ir'``, or ``'any'``).

    Args:
        prob: probability of applying the degradation to a chosen source. Defaults to 1.
    """

    applies_to: tuple = ('any',)

    def __init__(self, prob: float = 1.0):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def apply(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Degrade ``image`` (H, W, C) float32 in [0, 1]; return the same shape and range."""
        raise NotImplementedError

    def accepts(self, source_name: str) -> bool:
        """Whether this degradation is meant for a source called ``source_name``."""
        return 'any' in self.applies_to or source_name in self.applies_to

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() >= self.prob:
            return image
        out = self.apply(np.asarray(image, dtype=np.float32), rng)
        return np.clip(out, 0.0, 1.0).astype(np.float32)
