"""Decompose and recompose: the "divide" of the Fusion Refiner.

An image is split by repeated self-guided (edge-preserving) filtering into detail layers, fine to
coarse, and a base layer: ``L_0 = I``, ``L_k = GF(L_{k-1}, L_{k-1}, r_k, eps_k)``,
``detail_k = L_{k-1} - L_k``, ``base = L_K``; so ``I = base + sum_k detail_k`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import numpy as np

from ..ops import guided_filter

#: Default guided-filter radius and regularisation per level (fine to coarse).
DEFAULT_RADII = (2, 6, 16)
DEFAULT_EPS = (4e-4, 2e-3, 1e-2)


@dataclass
class Layers:
    """Base layer ``(H, W)`` and detail layers (fine to coarse, each ``(H, W)``)."""

    base: np.ndarray
    details: List[np.ndarray]

    def compose(self) -> np.ndarray:
        return (self.base + sum(self.details)).astype(np.float32)

    def copy(self) -> Layers:
        return Layers(self.base.copy(), [d.copy() for d in self.details])


def decompose(
    image: np.ndarray, radii: Sequence[int] = DEFAULT_RADII, eps: Sequence[float] = DEFAULT_EPS
) -> Layers:
    """Split ``image`` (H, W) into a base layer and len(radii) detail layers."""
    if len(radii) != len(eps):
        raise ValueError(f'one eps per radius needed, got radii={radii}, eps={eps}')
    current = np.asarray(image, np.float32)
    details = []
    for r, e in zip(radii, eps):
        smooth = guided_filter(current, current, r, e)
        details.append(current - smooth)
        current = smooth
    return Layers(current, details)
