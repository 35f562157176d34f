"""Multi-focus repair: find the pixels where a label is blurrier than a clearly in-focus source
(misclassified regions and soft seams of a decision map) and re-select the sharper source there.

A focus-map label (``FocusMap``) copies source pixels through a decision map that consistency
verification (majority filtering, removal of small regions) and guided-filter softening have
made smooth. That costs two kinds of error: small in-focus regions assigned to the defocused
source, and a seam a few pixels wide along every decision boundary where the two sources are
blended (or where the majority filter shifted the boundary), so the defocused source's blur
leaks into the in-focus side. Both show as pixels whose local focus measure is well below that
of the sharpest source.
"""

from __future__ import annotations

from typing import List

import numpy as np

from ..ops import box, gaussian, guided_filter, weighted_argmax
from ..priors.focus import modified_laplacian
from .components import Finding, _register
from .layers import Layers


def focus_measure(image: np.ndarray, window: int) -> np.ndarray:
    """Sum-modified-Laplacian energy over a (2*window+1)^2 window (the measure of FocusMap)."""
    return box(modified_laplacian(gaussian(image, 0.5, 1)) ** 2, window)


@_register
def misfocus(
    label: Layers,
    sources: List[Layers],
    window: int = 4,
    dominance: float = 2.0,
    ratio: float = 0.7,
    floor: float = (2.0 / 255) ** 2,
    majority: int = 1,
    gf_radius: int = 2,
    gf_eps: float = 1e-3,
    min_fraction: float = 0.002,
) -> Finding:
    """Misfocused pixels (multi-focus). A pixel is clearly in focus in one source where that
    source's focus measure (:func:`focus_measure`, radius ``window``) exceeds every other
    source's ``dominance`` times and exceeds ``floor``; the label is misfocused there when its
    own focus measure is below ``ratio`` times that source's. Isolated pixels are dropped by a
    (2*majority+1)^2 majority vote (consistency verification). Degraded when more than
    ``min_fraction`` of the clearly focused pixels are misfocused.

    The mask is the misfocused set refined by a guided filter (radius ``gf_radius``, eps
    ``gf_eps``) guided by the label, so that it follows the image's edges instead of the
    blocky window of the focus measure; ``extra['sharp']`` is the clearly focused source.
    """
    image = label.compose()
    srcs = np.stack([s.compose() for s in sources])  # (N, H, W)
    focus = np.stack([focus_measure(x, window) for x in srcs])  # (N, H, W)
    ordered = np.sort(focus, axis=0)
    best, second = ordered[-1], ordered[-2]
    clear = (best > dominance * second) & (best > floor)
    bad = clear & (focus_measure(image, window) < ratio * best)
    if majority > 0:
        bad = bad & (box(bad.astype(np.float32), majority) > 0.5)
    frac = float(bad.sum() / max(int(clear.sum()), 1))
    mask = np.clip(guided_filter(image, bad.astype(np.float32), gf_radius, gf_eps), 0, 1)
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        f'fraction of clearly focused pixels (one source {dominance}x sharper) where the label '
        f'keeps < {ratio} of its focus measure',
        mask=mask.astype(np.float32),
        extra=dict(sharp=(weighted_argmax(focus) * srcs).sum(0)),
    )


@_register
def refocus(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    feather: float = 0.5,
) -> np.ndarray:
    """Local re-selection of the sharper source: inside the (edge-aware, ``feather``-sigma
    Gaussian-feathered) mask, move the label to the source that is clearly in focus there.
    Returns the enhanced image: the repair copies source pixels across all scales at once."""
    image = label.compose()
    mask = gaussian(finding.mask, feather) if feather > 0 else finding.mask
    return image + strength * mask * (finding.extra['sharp'] - image)
