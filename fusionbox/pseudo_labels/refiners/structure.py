"""Structure hidden under another modality's intensity (medical image fusion).

Anatomical sources (MRI) carry the structure, functional or bone sources (PET, SPECT, CT) the
intensity of large regions. A rule that picks one source's *intensity* per pixel (choose-max,
decision maps) also takes that source's detail, so wherever the functional source is brighter
the label shows its smooth blobs and the anatomy underneath is gone. The repair follows the
two-scale rule of medical fusion: intensity (base layer) from where the label took it, detail
from the source that carries the structure.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np

from ..ops import gaussian, laplacian_pyramid
from .components import _TINY, Finding, _register
from .layers import Layers
from .texture import band_energy


def _structure(layers: Layers, window: int) -> np.ndarray:
    """Local energy of the finest Laplacian band: linear, so texture next to a strong edge
    counts (the edge-preserving layers leave it in the base there)."""
    return band_energy(laplacian_pyramid(layers.compose(), 2)[0], window)


@_register
def hidden_structure(
    label: Layers,
    sources: List[Layers],
    ratio: float = 0.5,
    floor: float = 2.0 / 255,
    delta: float = 0.05,
    window: int = 2,
    min_fraction: float = 0.05,
    levels: Sequence[int] = (0,),
) -> Finding:
    """Structure hidden under another source's intensity. At each pixel the structural source is
    the one with the most local structure energy (finest Laplacian band, mean |band| over a
    ``2*window+1`` window); the structure is hidden where that energy exceeds ``floor``, the
    label keeps less than ``ratio`` of it and the label's base is more than ``delta`` away from
    the structural source's base (its intensity came from another source). Degraded when more
    than ``min_fraction`` of the structure-bearing pixels are hidden. ``levels``: the detail
    layers the enhancer adds."""
    e_src = np.stack([_structure(s, window) for s in sources])  # (N, H, W)
    choose = np.argmax(e_src, axis=0)
    strongest = np.take_along_axis(e_src, choose[None], 0)[0]
    base = np.take_along_axis(np.stack([s.base for s in sources]), choose[None], 0)[0]
    e_lab = _structure(label, window)
    sig = strongest > floor
    elsewhere = np.abs(label.base - base) > delta
    hidden = sig & elsewhere & (e_lab < ratio * strongest)
    frac = float(hidden.sum() / max(int(sig.sum()), 1))
    mask = np.clip((strongest - e_lab) / (strongest + _TINY), 0, 1) * (sig & elsewhere)
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        f'fraction of structure-bearing pixels whose label keeps < {ratio} of the structural '
        f"source's finest-band energy under an intensity > {delta} away from that source's",
        mask=mask.astype(np.float32),
        extra=dict(levels=tuple(levels), choose=choose),
    )


@_register
def unveil_structure(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    feather: float = 1.0,
) -> Layers:
    """Add the structural source's detail (the detector's levels) to the label's inside the
    mask (Gaussian-feathered by ``feather`` pixels); the base layer, the intensity the label
    took from the other source, is kept."""
    out = label.copy()
    weight = finding.mask if feather <= 0 else gaussian(finding.mask, feather)
    choose = finding.extra['choose'][None]
    for k in finding.extra['levels']:
        detail = np.take_along_axis(np.stack([s.details[k] for s in sources]), choose, 0)[0]
        out.details[k] = out.details[k] + strength * weight * detail
    return out
