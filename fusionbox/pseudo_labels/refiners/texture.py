"""Multi-scale texture: detail measured and injected in a Laplacian pyramid.

The edge-preserving decomposition of :mod:`.layers` keeps strong edges and texture in its base
layer, so :func:`~.components.lost_detail` sees faint texture only. A Laplacian pyramid (Burt and
Adelson 1983) is linear and band-limited: every band holds all the contrast at its scale, so the
local energy of a band measures texture of any strength at that scale.
"""

from __future__ import annotations

from typing import List

import numpy as np

from ..ops import (
    box,
    collapse_pyramid,
    gaussian,
    laplacian_pyramid,
    pyramid_depth,
    weighted_argmax,
)
from .components import Finding, _register
from .layers import Layers


def band_energy(band: np.ndarray, window: int) -> np.ndarray:
    """Local mean of |band| over a (2*window+1)^2 window."""
    return box(np.abs(band), window)


@_register
def lost_texture(
    label: Layers,
    sources: List[Layers],
    levels: int = 4,
    window: int = 1,
    ratio: float = 1.5,
    floor: float = 1.0 / 255,
    min_fraction: float = 0.05,
) -> Finding:
    """Lost texture at any scale. The label and the sources are split into Laplacian pyramids
    (``levels`` levels, ``levels - 1`` bands); at every band, a coefficient lost texture where
    the local band energy (:func:`band_energy`, radius ``window``) of the strongest source
    exceeds ``ratio`` times the label's and ``floor``. Degraded when more than ``min_fraction``
    of the finest band's significant coefficients lost texture."""
    depth = pyramid_depth(label.base.shape, levels)
    lab = laplacian_pyramid(label.compose(), depth)
    srcs = [laplacian_pyramid(s.compose(), depth) for s in sources]
    masks, chosen = [], []
    for k in range(depth - 1):
        bands = np.stack([p[k] for p in srcs])  # (N, h_k, w_k)
        energy = np.stack([band_energy(b, window) for b in bands])
        strongest = energy.max(0)
        masks.append((strongest > ratio * band_energy(lab[k], window)) & (strongest > floor))
        chosen.append((weighted_argmax(energy) * bands).sum(0))
    significant = np.stack([band_energy(p[0], window) for p in srcs]).max(0) > floor
    frac = float(masks[0].sum() / max(int(significant.sum()), 1)) if masks else 0.0
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        f'fraction of textured finest-band coefficients where the best source has > {ratio}x '
        f'the label band energy',
        mask=masks[0].astype(np.float32) if masks else None,
        extra=dict(pyramid=lab, chosen=chosen, masks=masks),
    )


@_register
def inject_texture(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    feather: float = 1.0,
) -> np.ndarray:
    """At every pyramid band, inside that band's lost-texture mask (Gaussian-feathered by
    ``feather`` coefficients), move the label's coefficient towards that of the source with the
    most local energy there; the low-pass residual (the intensity) is kept. Returns the image."""
    pyr = list(finding.extra['pyramid'])
    for k, (mask, best) in enumerate(zip(finding.extra['masks'], finding.extra['chosen'])):
        weight = mask.astype(np.float32)
        weight = gaussian(weight, feather) if feather > 0 else weight
        pyr[k] = pyr[k] + strength * weight * (best - pyr[k])
    return collapse_pyramid(pyr)
