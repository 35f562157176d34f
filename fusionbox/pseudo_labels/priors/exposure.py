"""Multi-exposure fusion: Mertens exposure fusion."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import PRIORS

from ..ops import (
    collapse_pyramid,
    gaussian_pyramid,
    is_colour,
    laplacian,
    laplacian_pyramid,
    normalise_weights,
    pyramid_depth,
)
from .base import BasePrior


@PRIORS.register_module()
class Mertens(BasePrior):
    """Exposure fusion: per-pixel weights from contrast (|Laplacian|), saturation (standard
    deviation of R, G, B; 1 for grey sources) and well-exposedness (Gaussian around 0.5 of every
    channel), blended in a Laplacian pyramid of the luma with a Gaussian pyramid of the weights.

    Paper: Mertens, Kautz and Van Reeth, "Exposure fusion", Pacific Graphics 2007.

    Args:
        contrast, saturation, exposedness: exponents of the three measures. Defaults to 1, 1, 1.
        sigma: width of the well-exposedness Gaussian. Defaults to 0.2.
        levels: most pyramid levels. Defaults to 8.
    """

    def __init__(
        self,
        contrast: float = 1.0,
        saturation: float = 1.0,
        exposedness: float = 1.0,
        sigma: float = 0.2,
        levels: int = 8,
    ) -> None:
        self.contrast, self.saturation, self.exposedness = contrast, saturation, exposedness
        self.sigma, self.levels = sigma, levels

    def weights(self, lumas: np.ndarray, sources=()) -> np.ndarray:
        """Normalised weight maps (N, H, W)."""
        weights = []
        for k, y in enumerate(lumas):
            src = np.asarray(sources[k], np.float32) if len(sources) > k else y[..., None]
            channels = src if is_colour(src) else y[..., None]
            c = np.abs(laplacian(y))
            s = channels.std(-1) if channels.shape[-1] == 3 else np.ones_like(y)
            e = np.exp(-((channels - 0.5) ** 2) / (2 * self.sigma**2)).prod(-1)
            weights.append(
                (c**self.contrast) * (s**self.saturation) * (e**self.exposedness) + 1e-12
            )
        return normalise_weights(np.stack(weights))

    def fuse(self, lumas, sources=(), sample=None):
        weights = self.weights(lumas, sources)
        depth = pyramid_depth(lumas.shape, self.levels)
        fused = None
        for y, w in zip(lumas, weights):
            lp, gp = laplacian_pyramid(y, depth), gaussian_pyramid(w, depth)
            bands = [band * g for band, g in zip(lp, gp)]
            fused = bands if fused is None else [f + b for f, b in zip(fused, bands)]
        return collapse_pyramid(fused)
