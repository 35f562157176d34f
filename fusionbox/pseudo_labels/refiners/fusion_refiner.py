"""The Fusion Refiner: identify the degraded components of a selected pseudo-label, decompose,
enhance only those, recompose; keep a change only when it raises the task score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Sequence

import numpy as np

from fusionbox.registry import REFINERS
from fusionbox.tasks import SpecView, task_index

from .components import ENHANCER_OF
from .layers import DEFAULT_EPS, DEFAULT_RADII, Layers, decompose

#: Enhancement strengths tried by the line search.
DEFAULT_STRENGTHS = (1.0, 0.75, 0.5, 0.25)

#: Components checked per task, in order (detector names; each has its enhancer): a live view
#: of each task spec's ``refiner_components`` (:mod:`fusionbox.tasks`).
DEFAULT_COMPONENTS = SpecView('refiner_components')


@dataclass
class Refinement:
    """What the refiner did to one label."""

    image: np.ndarray
    score_before: float
    score_after: float
    actions: List[dict] = field(default_factory=list)

    @property
    def gain(self) -> float:
        return self.score_after - self.score_before

    def to_dict(self) -> dict:
        return dict(
            score_selected=self.score_before,
            score_refined=self.score_after,
            gain=self.gain,
            actions=self.actions,
        )


def _component(spec: str | Mapping) -> dict:
    spec = dict(detector=spec) if isinstance(spec, str) else dict(spec)
    if 'detector' not in spec:
        raise ValueError(f'a refiner component needs a detector, got {spec}')
    spec.setdefault('enhancer', ENHANCER_OF.get(spec['detector']))
    if spec['enhancer'] is None:
        raise ValueError(f'no enhancer known for detector {spec["detector"]!r}; give one')
    for key in ('detector', 'enhancer'):
        if REFINERS.get(spec[key]) is None:
            raise KeyError(f'unknown refiner {key} {spec[key]!r}')
    spec.setdefault('detector_args', {})
    spec.setdefault('enhancer_args', {})
    keep = spec.setdefault('keep_bright', None)
    if keep is not None and not (len(keep) == 2 and 0 <= keep[0] < keep[1] <= 1):
        raise ValueError(f'keep_bright must be (low, high) with 0 <= low < high <= 1, got {keep}')
    return spec


def keep_bright(before: np.ndarray, after: np.ndarray, low: float, high: float) -> np.ndarray:
    """``after`` where it does not darken ``before``'s bright pixels: the darkening is undone
    with a weight ramping from 0 at luma ``low`` to 1 at ``high`` (MIF: a saturated CT bone
    keeps its white when MRI detail is added around it)."""
    weight = np.clip((before - low) / (high - low), 0, 1)
    return after + weight * np.maximum(before - after, 0)


@REFINERS.register_module()
class FusionRefiner:
    """Divide-and-conquer refinement of a pseudo-label (luma in [0, 1]).

    For each component of the task in turn: decompose the current label and the sources
    (:func:`~.layers.decompose`), run the component's detector; when it reports a degradation,
    run its enhancer at every one of ``strengths`` (a small line search) and keep the result
    that scores best, provided it raises the task score by more than ``min_gain``; otherwise
    reject the change. The refined label therefore never scores below the selected one.

    Args:
        components: per-task component lists ``{task: [name or dict(detector=, enhancer=,
            detector_args=, enhancer_args=, keep_bright=(low, high))]}``; a task given
            replaces its defaults (:data:`DEFAULT_COMPONENTS`); ``keep_bright`` undoes an
            enhancement's darkening of bright pixels (:func:`keep_bright`). Defaults to None.
        radii: guided-filter radii of the decomposition. Defaults to (2, 6, 16).
        eps: guided-filter eps of the decomposition. Defaults to (4e-4, 2e-3, 1e-2).
        strengths: enhancement strengths tried. Defaults to (1.0, 0.75, 0.5, 0.25).
        min_gain: smallest score increase that counts. Defaults to 1e-6.
    """

    def __init__(
        self,
        components: Mapping[str, Sequence] | None = None,
        radii: Sequence[int] = DEFAULT_RADII,
        eps: Sequence[float] = DEFAULT_EPS,
        strengths: Sequence[float] = DEFAULT_STRENGTHS,
        min_gain: float = 1e-6,
    ) -> None:
        plan = {t: list(c) for t, c in DEFAULT_COMPONENTS.items()}
        for task, comps in (components or {}).items():
            task_index(task)
            plan[task] = list(comps)
        self.components = {t: [_component(c) for c in comps] for t, comps in plan.items()}
        self.radii, self.eps = tuple(radii), tuple(eps)
        self.strengths, self.min_gain = tuple(strengths), min_gain

    def refine(
        self,
        label: np.ndarray,
        sources: np.ndarray,
        task: str,
        scorer: Callable[[np.ndarray], float],
        score: float | None = None,
    ) -> Refinement:
        """Refine ``label`` (H, W) given the source lumas ``sources`` (N, H, W).

        Args:
            scorer: the task score of an image (higher is better).
            score: the label's score, if already known.
        """
        task_index(task)
        current = np.clip(np.asarray(label, np.float32), 0, 1)
        start = scorer(current) if score is None else float(score)
        best = start
        src_layers = [decompose(s, self.radii, self.eps) for s in sources]
        actions = []
        for comp in self.components[task]:
            detect, enhance = REFINERS.get(comp['detector']), REFINERS.get(comp['enhancer'])
            layers = decompose(current, self.radii, self.eps)
            finding = detect(layers, src_layers, **comp['detector_args'])
            action = dict(
                detector=comp['detector'],
                enhancer=comp['enhancer'],
                **finding.to_dict(),
                accepted=False,
            )
            if finding.degraded:
                tried, pick = [], None
                for strength in self.strengths:
                    new = enhance(
                        layers, src_layers, finding, strength=strength, **comp['enhancer_args']
                    )
                    image = new.compose() if isinstance(new, Layers) else new
                    if comp['keep_bright'] is not None:
                        image = keep_bright(current, image, *comp['keep_bright'])
                    candidate = np.clip(image, 0, 1).astype(np.float32)
                    value = float(scorer(candidate))
                    tried.append(dict(strength=strength, score=value))
                    if value > best + self.min_gain and (pick is None or value > pick[1]):
                        pick = (strength, value, candidate)
                if pick is not None:
                    action.update(
                        accepted=True, strength=pick[0], score_before=best, score_after=pick[1]
                    )
                    current, best = pick[2], pick[1]
                action['tried'] = tried
            actions.append(action)
        return Refinement(current, start, best, actions)

    def __repr__(self) -> str:
        plan = {t: [c['detector'] for c in cs] for t, cs in self.components.items()}
        return f'FusionRefiner(components={plan}, strengths={self.strengths})'
