"""The task-aware selection function: score every candidate with the metric library, pick the
best one per sample and keep the reasons.

The score of an image x among the candidates C of one sample is

    score(x) = sum_m w_m * n_m(x) / sum_m w_m,
    n_m(x) = (m(x) - min_C m) / span_m          (higher-is-better metrics)
    n_m(x) = (max_C m - m(x)) / span_m          (lower-is-better metrics)

with ``span_m = max_C m - min_C m`` (or, when every candidate ties, the metric's magnitude, so
the map stays defined). The candidates score in [0, 1]; the same fitted map scores any later
image of the sample (a refined label), which may leave [0, 1].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import partial
from typing import Dict, Mapping, Sequence

import numpy as np

from fusionbox.evaluation.functional import MetricUndefinedError
from fusionbox.evaluation.functional.cache import cached
from fusionbox.evaluation.functional.parallel import parallel_map
from fusionbox.registry import SELECTORS
from fusionbox.tasks import SpecView, task_index

#: Default metric weights per task: a live view of each task spec's ``selector_metrics``
#: (:mod:`fusionbox.tasks`).
DEFAULT_TASK_METRICS = SpecView('selector_metrics')


@dataclass
class ScoreMap:
    """The fitted per-metric affine maps of one sample: metric -> (low, span, higher, weight)."""

    terms: Dict[str, tuple] = field(default_factory=dict)

    def __call__(self, values: Mapping[str, float]) -> float:
        total, weights = 0.0, 0.0
        for name, (low, span, higher, weight) in self.terms.items():
            if name not in values or not np.isfinite(values[name]):
                continue
            n = (values[name] - low) / span if higher else (low - values[name]) / span
            total += weight * n
            weights += weight
        return float(total / weights) if weights > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            n: dict(zero=lo, span=s, higher_is_better=h, weight=w)
            for n, (lo, s, h, w) in self.terms.items()
        }


@dataclass
class Selection:
    """The outcome of selecting among the candidates of one sample."""

    pick: str
    scores: Dict[str, float]
    metrics: Dict[str, Dict[str, float]]
    score_map: ScoreMap
    skipped: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(
            pick=self.pick,
            scores=self.scores,
            metrics=self.metrics,
            normalisation=self.score_map.to_dict(),
            skipped_metrics=self.skipped,
        )


@SELECTORS.register_module()
class TaskAwareSelector:
    """Pick the candidate with the best task score (weighted, normalised, direction-aware).

    Args:
        metrics: per-task metric weights ``{task: {metric: weight}}``; a task given here
            replaces that task's defaults (:data:`DEFAULT_TASK_METRICS`). Defaults to None.
        protocol: metric protocol. Defaults to 'standard'.
    """

    def __init__(
        self, metrics: Mapping[str, Mapping[str, float]] | None = None, protocol: str = 'standard'
    ) -> None:
        from fusionbox.evaluation.functional import get_metric

        self.metrics = {t: dict(m) for t, m in DEFAULT_TASK_METRICS.items()}
        for task, weights in (metrics or {}).items():
            task_index(task)
            self.metrics[task] = dict(weights)
        self.protocol = protocol
        self._fns = {}
        for weights in self.metrics.values():
            for name, weight in weights.items():
                if weight < 0:
                    raise ValueError(f'metric weight must be >= 0, got {name}={weight}')
                self._fns[name] = get_metric(name)  # KeyError lists the known metrics

    def task_metrics(self, task: str) -> Dict[str, float]:
        task_index(task)
        return self.metrics[task]

    def measure(
        self,
        image: np.ndarray,
        sources: Sequence[np.ndarray],
        task: str,
        gt: np.ndarray | None = None,
        skipped: dict | None = None,
    ) -> Dict[str, float]:
        """Raw metric values of ``image`` (luma in [0, 1], rounded to 8 bits as it will be
        saved) against ``sources`` (lumas in [0, 1])."""
        # scored as it is written: 8-bit (a label is saved as an 8-bit PNG)
        fused = np.round(np.clip(np.asarray(image, np.float64), 0, 1) * 255.0)
        # the same scaled arrays for every candidate of the sample, so that the metrics' side
        # of the sources is computed once inside the caller's source_cache scope
        srcs = cached(
            'selector-sources',
            (sources,),
            lambda: [np.asarray(s, np.float64) * 255.0 for s in sources],
        )
        ref = None if gt is None else np.asarray(gt, np.float64) * 255.0
        names = []
        for name in self.task_metrics(task):
            if self._fns[name].spec.needs_gt and ref is None:
                if skipped is not None:
                    skipped[name] = 'needs a ground truth'
                continue
            names.append(name)
        # the metrics of one image run concurrently, as in evaluate_image (same values)
        calls = [partial(self._call, self._fns[n], fused, srcs, ref) for n in names]
        return dict(zip(names, parallel_map(lambda call: call(), calls, 'metrics')))

    def _call(self, fn, fused, srcs, ref) -> float:
        try:
            return fn(fused, srcs, ref, protocol=self.protocol)
        except MetricUndefinedError:
            # undefined on this candidate (e.g. Qabf with flat sources): the term is left out of
            # this sample's score (__call__ skips non-finite values)
            return float('nan')
        except ValueError:
            if len(srcs) <= 2:
                raise
            # a two-source metric on N > 2 sources: the mean over the source pairs
            return float(
                np.mean(
                    [
                        fn(fused, list(p), ref, protocol=self.protocol)
                        for p in itertools.combinations(srcs, 2)
                    ]
                )
            )

    def fit(self, metrics: Mapping[str, Mapping[str, float]], task: str) -> ScoreMap:
        """Fit the per-metric normalisation on the candidates' raw values."""
        terms = {}
        for name, weight in self.task_metrics(task).items():
            vals = np.array(
                [m[name] for m in metrics.values() if name in m and np.isfinite(m[name])],
                np.float64,
            )
            if vals.size == 0 or weight == 0:
                continue
            higher = bool(self._fns[name].higher_is_better)
            lo, hi = float(vals.min()), float(vals.max())
            span = hi - lo
            if span <= 1e-12 * max(1.0, abs(hi)):
                span = max(abs(hi), abs(lo), 1e-12)
            terms[name] = (lo if higher else hi, span, higher, float(weight))
        return ScoreMap(terms)

    def select(
        self,
        candidates: Mapping[str, np.ndarray],
        sources: Sequence[np.ndarray],
        task: str,
        gt: np.ndarray | None = None,
    ) -> Selection:
        """Score every candidate (lumas in [0, 1]) and pick the best (first on ties)."""
        if not candidates:
            raise ValueError('no candidate to select from')
        skipped: dict = {}
        metrics = {
            name: self.measure(img, sources, task, gt, skipped) for name, img in candidates.items()
        }
        score_map = self.fit(metrics, task)
        scores = {name: score_map(vals) for name, vals in metrics.items()}
        pick = max(scores, key=lambda n: scores[n])
        return Selection(pick, scores, metrics, score_map, skipped)

    def score(
        self,
        image: np.ndarray,
        selection: Selection,
        sources: Sequence[np.ndarray],
        task: str,
        gt: np.ndarray | None = None,
    ) -> tuple:
        """Score a new image of the sample with the selection's fitted map:
        ``(score, raw metric values)``."""
        values = self.measure(image, sources, task, gt)
        return selection.score_map(values), values

    def __repr__(self) -> str:
        return f'TaskAwareSelector(metrics={self.metrics}, protocol={self.protocol!r})'
