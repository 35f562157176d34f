"""Multi-focus fusion: focus-measure decision map with consistency verification."""

from __future__ import annotations

import cv2
import numpy as np

from fusionbox.registry import PRIORS

from ..ops import box, gaussian, guided_filter, normalise_weights, weighted_argmax
from .base import BasePrior


def modified_laplacian(x: np.ndarray) -> np.ndarray:
    """|2I - I(x-1) - I(x+1)| + |2I - I(y-1) - I(y+1)| (Nayar and Nakagawa 1994)."""
    p = np.pad(x, 1, mode='reflect')
    return np.abs(2 * x - p[1:-1, :-2] - p[1:-1, 2:]) + np.abs(2 * x - p[:-2, 1:-1] - p[2:, 1:-1])


@PRIORS.register_module()
class FocusMap(BasePrior):
    """Focus-measure-map fusion: sum-modified-Laplacian focus measure, argmax decision map,
    consistency verification (repeated majority filtering, then removal of regions smaller than
    ``min_region`` of the image), guided-filter softening of the map along focus boundaries.

    Paper: Qiu, Li, Zhang, Zhou, Liu, "Guided filter-based multi-focus image fusion through focus
    region detection", Signal Processing: Image Communication 72, 2019; consistency
    verification of Li, Manjunath and Mitra, Graphical Models and Image Processing 57(3), 1995.

    Args:
        window: radius of the focus-measure window. Defaults to 4.
        majority: radius of the majority filter. Defaults to 7.
        rounds: majority-filter passes. Defaults to 2.
        min_region: smallest kept region, as a fraction of the image area. Defaults to 0.01.
        gf_radius, gf_eps: guided filter softening the decision map. Defaults to 4, 0.01.
    """

    def __init__(
        self,
        window: int = 4,
        majority: int = 7,
        rounds: int = 2,
        min_region: float = 0.01,
        gf_radius: int = 4,
        gf_eps: float = 0.01,
    ) -> None:
        self.window, self.majority, self.rounds = window, majority, rounds
        self.min_region, self.gf_radius, self.gf_eps = min_region, gf_radius, gf_eps

    def decision_map(self, lumas: np.ndarray) -> np.ndarray:
        """One-hot (N, H, W) map of the in-focus source after consistency verification."""
        focus = np.stack(
            [box(modified_laplacian(gaussian(x, 0.5, 1)) ** 2, self.window) for x in lumas]
        )
        decision = weighted_argmax(focus)
        for _ in range(self.rounds):
            decision = weighted_argmax(np.stack([box(d, self.majority) for d in decision]))
        return self._remove_small_regions(decision)

    def _remove_small_regions(self, decision: np.ndarray) -> np.ndarray:
        h, w = decision.shape[1:]
        min_area = self.min_region * h * w
        decision = decision.copy()
        for k in range(decision.shape[0]):
            count, labels, stats, _ = cv2.connectedComponentsWithStats(
                decision[k].astype(np.uint8), connectivity=8
            )
            small = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] < min_area]
            if not small:
                continue
            region = np.isin(labels, small)
            others = decision.copy()
            others[k] = 0
            spread = np.stack([box(o, 3 * self.majority) for o in others])
            spread[k] = -1
            decision[:, region] = weighted_argmax(spread)[:, region]
        return decision

    def fuse(self, lumas, sources=(), sample=None):
        decision = self.decision_map(lumas)
        guide = lumas.mean(0)
        weights = normalise_weights(
            np.stack([guided_filter(guide, d, self.gf_radius, self.gf_eps) for d in decision])
        )
        return (weights * lumas).sum(0)
