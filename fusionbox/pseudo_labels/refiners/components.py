"""Degradation detectors and their enhancers: the "identify" and "conquer" of the Fusion Refiner.

A **detector** ``detect(label, sources, **params) -> Finding`` compares the label's layers
(:class:`~.layers.Layers`) with the sources' layers and says whether one component is degraded,
by a documented criterion, with a soft mask of where. An **enhancer**
``enhance(label, sources, finding, strength, **params) -> Layers`` changes only that component
inside the mask (an enhancer that acts on every scale at once, such as the multi-focus
re-selection of :mod:`.focus`, may return the enhanced image ``(H, W)`` instead). Both are
functions registered in REFINERS under their names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Sequence

import cv2
import numpy as np

from fusionbox.registry import REFINERS

from ..ops import box, gaussian, local_std, noise_sigma, weighted_argmax
from .layers import Layers

_TINY = 1e-6


@dataclass
class Finding:
    """A detector's verdict: ``degraded`` when ``measure`` crosses ``threshold``."""

    degraded: bool
    measure: float
    threshold: float
    criterion: str
    mask: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(
            degraded=self.degraded,
            measure=round(float(self.measure), 6),
            threshold=round(float(self.threshold), 6),
            criterion=self.criterion,
        )


def _register(fn):
    REFINERS.register_module(module=fn)
    return fn


# --- detail / texture -------------------------------------------------------------------------
@_register
def lost_detail(
    label: Layers,
    sources: List[Layers],
    levels: Sequence[int] = (0,),
    ratio: float = 0.75,
    floor: float = 2.0 / 255,
    window: int = 2,
    min_fraction: float = 0.05,
) -> Finding:
    """Lost texture / detail. The local detail energy ``box(sum_k |d_k|, window)`` over the
    detail ``levels`` (finest first) of the label is compared with that of the source with the
    most; a pixel with significant source detail (energy > ``floor``) has lost detail where the
    label keeps less than ``ratio`` of it. Degraded when more than ``min_fraction`` of the
    significant pixels lost detail. (Coarse levels are left out by default: a defocused or
    over-exposed source carries large-scale energy that is not detail.)"""
    e_src = np.stack([_energy(s, levels, window) for s in sources])  # (N, H, W)
    e_lab = _energy(label, levels, window)
    strongest = e_src.max(0)
    sig = strongest > floor
    gone = sig & (e_lab < ratio * strongest)
    frac = float(gone.sum() / max(int(sig.sum()), 1))
    mask = np.clip((strongest - e_lab) / (strongest + _TINY), 0, 1) * sig
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        f'fraction of detail-bearing pixels keeping < {ratio} of the best source detail energy',
        mask=mask.astype(np.float32),
        extra=dict(levels=tuple(levels), choose=weighted_argmax(e_src)),
    )


def _energy(layers: Layers, levels: Sequence[int], window: int) -> np.ndarray:
    return box(sum(np.abs(layers.details[k]) for k in levels), window)


@_register
def inject_detail(
    label: Layers, sources: List[Layers], finding: Finding, strength: float = 1.0
) -> Layers:
    """Inside the mask, replace the label's detail (the detector's levels, together) by that of
    the source with the most local detail energy at each pixel, so that the injected detail is
    coherent across scales."""
    out = label.copy()
    weight = strength * finding.mask
    for k in finding.extra['levels']:
        best = (finding.extra['choose'] * np.stack([s.details[k] for s in sources])).sum(0)
        out.details[k] = out.details[k] + weight * (best - out.details[k])
    return out


# --- salient intensity --------------------------------------------------------------------------
def _salient_target(sources: List[Layers], tau: float):
    bases = np.stack([s.base for s in sources])  # (N, H, W)
    sigma = max(bases.shape[1:]) / 8.0
    salient = np.stack([b - gaussian(b, sigma, int(2 * sigma)) > tau for b in bases])
    target = np.where(salient, bases, -np.inf).max(0)
    return salient.any(0), target


@_register
def lost_intensity(
    label: Layers,
    sources: List[Layers],
    tau: float = 0.08,
    delta: float = 0.05,
    min_fraction: float = 0.05,
) -> Finding:
    """Lost salient intensity (infrared targets, CT bone, PET/SPECT hot spots). A source pixel is
    salient where its base layer exceeds its own large-scale surround by ``tau``; the label lost
    it where its base is more than ``delta`` below the brightest salient source base there.
    Degraded when more than ``min_fraction`` of the salient pixels lost intensity."""
    salient, target = _salient_target(sources, tau)
    deficit = np.where(salient, target - label.base, 0)
    gone = salient & (deficit > delta)
    frac = gone.sum() / max(int(salient.sum()), 1)
    mask = np.clip(deficit / (2 * delta), 0, 1) * salient
    return Finding(
        bool(frac > min_fraction and salient.mean() > 1e-3),
        frac,
        min_fraction,
        f'fraction of salient pixels whose base is > {delta} below the source',
        mask=mask.astype(np.float32),
        extra=dict(deficit=np.maximum(deficit, 0).astype(np.float32)),
    )


@_register
def restore_intensity(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    feather: float = 3.0,
) -> Layers:
    """Raise the base layer towards the salient source intensity inside the mask. The raise
    (mask x deficit) is feathered by a Gaussian of standard deviation ``feather`` pixels, so
    the restored regions blend into their surround instead of being pasted in with a step
    edge along the salient set's border (0 turns feathering off)."""
    out = label.copy()
    raise_ = finding.mask * finding.extra['deficit']
    if feather > 0:
        raise_ = gaussian(raise_, feather)
    out.base = out.base + strength * raise_
    return out


# --- contrast ----------------------------------------------------------------------------------
@_register
def low_contrast(
    label: Layers, sources: List[Layers], window: int = 7, gamma: float = 0.85
) -> Finding:
    """Low contrast. The mean local standard deviation (window ``2*window+1``) of the label's base
    layer over that of the source with the most; degraded below ``gamma``."""
    std_l = local_std(label.base, window)
    std_s = np.max([local_std(s.base, window) for s in sources], axis=0)
    ratio = float(std_l.mean() / max(float(std_s.mean()), _TINY))
    mask = (std_l < gamma * std_s).astype(np.float32)
    return Finding(
        ratio < gamma,
        ratio,
        gamma,
        'mean local std of the base layer relative to the best source (below = low)',
        mask=gaussian(mask, 2.0),
        extra=dict(std_l=std_l, std_s=std_s),
    )


@_register
def boost_contrast(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    window: int = 7,
    max_gain: float = 2.0,
) -> Layers:
    """Stretch the base layer around its local mean towards the sources' local contrast
    (gain at most ``max_gain``), inside the mask."""
    out = label.copy()
    gain = np.clip(finding.extra['std_s'] / (finding.extra['std_l'] + 1e-3), 1.0, max_gain)
    gain = 1.0 + strength * finding.mask * (gain - 1.0)
    mean = box(out.base, window)
    out.base = mean + gain * (out.base - mean)
    return out


# --- exposure --------------------------------------------------------------------------------
@_register
def poor_exposure(
    label: Layers,
    sources: List[Layers],
    low: float = 0.1,
    high: float = 0.9,
    better: float = 0.1,
    min_fraction: float = 0.02,
) -> Finding:
    """Poor exposure. A label pixel is poorly exposed outside [``low``, ``high``] where some
    source is better exposed there (|Y - 0.5| smaller by ``better``). Degraded when more than
    ``min_fraction`` of the pixels are."""
    y = label.compose()
    dist = np.abs(y - 0.5)
    best = np.min([np.abs(s.compose() - 0.5) for s in sources], axis=0)
    bad = ((y < low) | (y > high)) & (best < dist - better)
    frac = float(bad.mean())
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        f'fraction of pixels outside [{low}, {high}] with a better-exposed source',
        mask=gaussian(bad.astype(np.float32), 3.0),
    )


@_register
def correct_exposure(
    label: Layers,
    sources: List[Layers],
    finding: Finding,
    strength: float = 1.0,
    sigma: float = 0.2,
) -> Layers:
    """Move the base layer towards the well-exposedness-weighted mean of the source bases
    (weights exp(-(B - 0.5)^2 / 2 sigma^2), as Mertens) inside the mask."""
    out = label.copy()
    bases = np.stack([s.base for s in sources])
    w = np.exp(-((bases - 0.5) ** 2) / (2 * sigma**2)) + 1e-12
    target = (w * bases).sum(0) / w.sum(0)
    out.base = out.base + strength * finding.mask * (target - out.base)
    return out


# --- noise ----------------------------------------------------------------------------------
@_register
def noise(
    label: Layers, sources: List[Layers], factor: float = 1.3, floor: float = 0.5 / 255
) -> Finding:
    """Noise. The label's noise level (Immerkaer's estimate) against the cleanest source's;
    degraded above ``factor`` times it plus ``floor``."""
    s_lab = noise_sigma(label.compose())
    s_src = min(noise_sigma(s.compose()) for s in sources)
    threshold = factor * s_src + floor
    return Finding(
        s_lab > threshold,
        s_lab,
        threshold,
        'estimated noise sigma of the label vs factor x cleanest source + floor',
        extra=dict(excess=float(np.sqrt(max(s_lab**2 - s_src**2, 0)))),
    )


@_register
def denoise(
    label: Layers, sources: List[Layers], finding: Finding, strength: float = 1.0, k: float = 2.0
) -> Layers:
    """Soft-threshold the finest detail layer at ``k`` times the excess noise sigma."""
    out = label.copy()
    t = strength * k * finding.extra['excess']
    d = out.details[0]
    out.details[0] = np.sign(d) * np.maximum(np.abs(d) - t, 0)
    return out


# --- halo / overshoot -------------------------------------------------------------------------
def _source_range(sources: List[Layers], window: int):
    kernel = np.ones((2 * window + 1, 2 * window + 1), np.uint8)
    images = [s.compose() for s in sources]
    lo = np.min([cv2.erode(x, kernel) for x in images], axis=0)
    hi = np.max([cv2.dilate(x, kernel) for x in images], axis=0)
    return lo, hi


@_register
def halo(
    label: Layers,
    sources: List[Layers],
    window: int = 2,
    margin: float = 3.0 / 255,
    min_fraction: float = 0.002,
) -> Finding:
    """Halo / overshoot. A label pixel overshoots where it leaves the range of every source in a
    (2*window+1)^2 neighbourhood by more than ``margin``. Degraded when more than
    ``min_fraction`` of the pixels do."""
    y = label.compose()
    lo, hi = _source_range(sources, window)
    bad = (y > hi + margin) | (y < lo - margin)
    frac = float(bad.mean())
    return Finding(
        frac > min_fraction,
        frac,
        min_fraction,
        'fraction of pixels outside the local range of the sources',
        mask=bad.astype(np.float32),
        extra=dict(lo=lo, hi=hi, margin=margin),
    )


@_register
def suppress_halo(
    label: Layers, sources: List[Layers], finding: Finding, strength: float = 1.0
) -> Layers:
    """Clip the overshooting pixels back into the sources' local range (through the base)."""
    out = label.copy()
    y = out.compose()
    m = finding.extra['margin']
    clipped = np.clip(y, finding.extra['lo'] - m, finding.extra['hi'] + m)
    out.base = out.base + strength * finding.mask * (clipped - y)
    return out


#: The enhancer that repairs what each detector finds.
ENHANCER_OF = {
    'lost_detail': 'inject_detail',
    'lost_intensity': 'restore_intensity',
    'low_contrast': 'boost_contrast',
    'poor_exposure': 'correct_exposure',
    'noise': 'denoise',
    'halo': 'suppress_halo',
    'misfocus': 'refocus',
    'lost_texture': 'inject_texture',
    'hidden_structure': 'unveil_structure',
}
