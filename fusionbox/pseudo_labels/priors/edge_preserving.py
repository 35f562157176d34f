"""Two-scale and multi-scale fusion with edge-preserving filters: GFF, ADF and MGFF."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from fusionbox.registry import PRIORS

from ..ops import box, gaussian, guided_filter, laplacian, normalise_weights, weighted_argmax
from .base import BasePrior
from .simple import pca_weights


@PRIORS.register_module()
class GFF(BasePrior):
    """Guided-filtering fusion: two-scale (mean-filter) decomposition, Laplacian saliency,
    argmax weight maps refined by guided filtering, a smooth one for the base layers and a sharp
    one for the detail layers.

    Paper: Li, Kang and Hu, "Image fusion with guided filtering", IEEE TIP 22(7), 2013.

    Args:
        base_radius: radius of the mean filter that makes the base layer. Defaults to 15.
        r1, eps1: guided filter of the base weights. Defaults to 45, 0.3.
        r2, eps2: guided filter of the detail weights. Defaults to 7, 1e-6.
    """

    def __init__(
        self,
        base_radius: int = 15,
        r1: int = 45,
        eps1: float = 0.3,
        r2: int = 7,
        eps2: float = 1e-6,
    ) -> None:
        self.base_radius, self.r1, self.eps1, self.r2, self.eps2 = (base_radius, r1, eps1, r2, eps2)

    def fuse(self, lumas, sources=(), sample=None):
        base = np.stack([box(x, self.base_radius) for x in lumas])  # (N, H, W)
        detail = lumas - base
        saliency = np.stack([gaussian(np.abs(laplacian(x)), 5.0, 5) for x in lumas])
        p = weighted_argmax(saliency)
        w_base = normalise_weights(
            np.stack([guided_filter(x, pk, self.r1, self.eps1) for x, pk in zip(lumas, p)])
        )
        w_detail = normalise_weights(
            np.stack([guided_filter(x, pk, self.r2, self.eps2) for x, pk in zip(lumas, p)])
        )
        return (w_base * base).sum(0) + (w_detail * detail).sum(0)


def anisotropic_diffusion(
    image: np.ndarray, iterations: int = 10, delta: float = 0.15, kappa: float = 30.0 / 255
) -> np.ndarray:
    """Perona-Malik diffusion (conductance exp(-(|grad|/kappa)^2)), four neighbours."""
    out = np.asarray(image, np.float32).copy()
    for _ in range(iterations):
        p = np.pad(out, 1, mode='edge')
        diffs = (p[:-2, 1:-1] - out, p[2:, 1:-1] - out, p[1:-1, :-2] - out, p[1:-1, 2:] - out)
        out = out + delta * sum(np.exp(-((d / kappa) ** 2)) * d for d in diffs)
    return out


@PRIORS.register_module()
class ADF(BasePrior):
    """Anisotropic-diffusion fusion: base layers by Perona-Malik diffusion (averaged), detail
    layers fused with Karhunen-Loeve-transform (principal component) weights.

    Paper: Bavirisetti and Dhuli, "Fusion of infrared and visible sensor images based on
    anisotropic diffusion and Karhunen-Loeve transform", IEEE Sensors Journal 16(1), 2016.

    Args:
        iterations: diffusion iterations. Defaults to 10.
        delta: integration constant. Defaults to 0.15.
        kappa: gradient modulus threshold on the [0, 1] scale. Defaults to 30 / 255.
    """

    def __init__(
        self, iterations: int = 10, delta: float = 0.15, kappa: float = 30.0 / 255
    ) -> None:
        self.iterations, self.delta, self.kappa = iterations, delta, kappa

    def fuse(self, lumas, sources=(), sample=None):
        base = np.stack(
            [anisotropic_diffusion(x, self.iterations, self.delta, self.kappa) for x in lumas]
        )
        detail = lumas - base
        return base.mean(0) + np.tensordot(pca_weights(detail), detail, axes=1)


@PRIORS.register_module()
class MGFF(BasePrior):
    """Multi-scale guided-filter fusion: each source is split by self-guided filtering at
    several scales into detail layers and a base layer; every detail level is fused with
    saliency weights (local detail energy, sharpened by a power and refined by a guided filter
    on the source), the base layers are averaged.

    Paper: Bavirisetti, Xiao, Zhao, Dhuli and Liu, "Multi-scale guided image and video fusion: A
    fast and efficient approach", Circuits, Systems, and Signal Processing 38, 2019 (this
    implementation follows its structure; the saliency measure is local detail energy).

    Args:
        radii: guided-filter radius per level. Defaults to (2, 4, 8).
        eps: guided-filter regularisation per level. Defaults to (1e-3, 4e-3, 1e-2).
        power: exponent sharpening the saliency weights. Defaults to 4.
    """

    def __init__(
        self,
        radii: Sequence[int] = (2, 4, 8),
        eps: Sequence[float] = (1e-3, 4e-3, 1e-2),
        power: float = 4.0,
    ) -> None:
        if len(radii) != len(eps):
            raise ValueError(f'MGFF needs one eps per radius, got {radii} and {eps}')
        self.radii, self.eps, self.power = tuple(radii), tuple(eps), power

    def fuse(self, lumas, sources=(), sample=None):
        current = lumas
        fused = np.zeros(lumas.shape[1:], np.float32)
        for r, eps in zip(self.radii, self.eps):
            smooth = np.stack([guided_filter(x, x, r, eps) for x in current])
            detail = current - smooth  # (N, H, W)
            saliency = np.stack([box(np.abs(d), r) for d in detail]) ** self.power
            weights = normalise_weights(saliency)
            weights = normalise_weights(
                np.stack([guided_filter(x, w, r, 1e-4) for x, w in zip(lumas, weights)])
            )
            fused += (weights * detail).sum(0)
            current = smooth
        return fused + current.mean(0)
