"""Multi-scale transform fusion: Laplacian pyramid and discrete wavelet transform."""

from __future__ import annotations

import numpy as np
import pywt

from fusionbox.registry import PRIORS

from ..ops import box, collapse_pyramid, laplacian_pyramid, pyramid_depth, weighted_argmax
from .base import BasePrior


def _choose_max_abs(bands: np.ndarray, r: int) -> np.ndarray:
    """Per pixel, the band (N, H, W) of the source with the largest local activity |band|."""
    if r > 0:
        activity = np.stack([box(np.abs(b), r) for b in bands])
    else:
        activity = np.abs(bands)
    return (weighted_argmax(activity) * bands).sum(0)


@PRIORS.register_module()
class LaplacianPyramid(BasePrior):
    """Laplacian-pyramid fusion: band-pass levels by choose-max of local activity, the low-pass
    residual by averaging.

    Paper: Burt and Adelson, "The Laplacian pyramid as a compact image code", IEEE TCOM 1983;
    fusion rule of Burt and Kolczynski, "Enhanced image capture through fusion", ICCV 1993.

    Args:
        levels: pyramid levels (fewer on small images). Defaults to 4.
        window: radius of the activity window (0 = pixel-wise |coefficient|). Defaults to 1.
    """

    def __init__(self, levels: int = 4, window: int = 1) -> None:
        self.levels, self.window = levels, window

    def fuse(self, lumas, sources=(), sample=None):
        depth = pyramid_depth(lumas.shape, self.levels)
        pyrs = [laplacian_pyramid(x, depth) for x in lumas]
        fused = [
            _choose_max_abs(np.stack([p[k] for p in pyrs]), self.window) for k in range(depth - 1)
        ]
        fused.append(np.mean([p[-1] for p in pyrs], axis=0))
        return collapse_pyramid(fused)


@PRIORS.register_module()
class DWT(BasePrior):
    """Discrete wavelet transform fusion (PyWavelets): approximation averaged, detail
    coefficients by choose-max of absolute value.

    Paper: Li, Manjunath and Mitra, "Multisensor image fusion using the wavelet transform",
    Graphical Models and Image Processing 57(3), 1995.

    Args:
        wavelet: PyWavelets wavelet name. Defaults to 'db2'.
        levels: decomposition levels (fewer on small images). Defaults to 3.
    """

    def __init__(self, wavelet: str = 'db2', levels: int = 3) -> None:
        self.wavelet, self.levels = wavelet, levels

    def fuse(self, lumas, sources=(), sample=None):
        h, w = lumas.shape[-2:]
        level = max(1, min(self.levels, pywt.dwtn_max_level((h, w), self.wavelet)))
        coeffs = pywt.wavedec2(
            lumas, self.wavelet, mode='symmetric', level=level, axes=(-2, -1)
        )  # each band (N, h_k, w_k)
        fused = [coeffs[0].mean(0)]
        for bands in coeffs[1:]:
            fused.append(tuple(_choose_max_abs(b, 0) for b in bands))
        out = pywt.waverec2(fused, self.wavelet, mode='symmetric', axes=(-2, -1))
        return out[:h, :w]
