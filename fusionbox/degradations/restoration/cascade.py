"""The restore-then-fuse cascade: each recorded degradation undone by its registered restorer,
then the sources fused by a training-free prior (the baseline MMAIF's one-model claim is
measured against)."""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence

import numpy as np

from fusionbox.registry import PRIORS, RESTORERS

from .base import restorer_for


def best_priors() -> Dict[str, str]:
    """The prior of every registered task's cascade (its spec's ``baseline_prior``: the best
    single prior on the held-out real stems, never chosen on VIFB)."""
    from fusionbox.tasks import spec_table

    return spec_table('baseline_prior')


@RESTORERS.register_module()
class RestoreThenFuse:
    """Restore every degraded source by the operators its degradation record names, then fuse.

    The record is the one :class:`~fusionbox.degradations.RandomDegradationComposer` writes
    (``type``, ``sources``, ``params``); only ``type`` and ``sources`` are read (the strengths are
    not: the prompted model is not told them either). The operations are undone in the reverse
    order of their application (codec before sensor before optics before scene).

    Args:
        priors: the fusion prior per task (``PRIORS`` names or configs). Defaults to None
            (:func:`best_priors`, from the task specs).
        restorers: per degradation name, a ``RESTORERS`` config replacing the registered
            choice (:func:`restorer_for`), e.g.
            ``dict(GaussianNoise=dict(type='BilateralDenoise'))``. Defaults to None.
    """

    def __init__(self, priors: Mapping | None = None, restorers: Mapping | None = None) -> None:
        self.prior_cfgs = dict(best_priors() if priors is None else priors)
        self.restorer_cfgs = dict(restorers or {})
        self._restorers: Dict[str, object] = {}
        self._priors: Dict[str, object] = {}

    def restorer(self, degradation: str):
        """The built restorer of ``degradation`` (cached)."""
        if degradation not in self._restorers:
            cfg = self.restorer_cfgs.get(degradation) or dict(type=restorer_for(degradation))
            self._restorers[degradation] = RESTORERS.build(dict(cfg))
        return self._restorers[degradation]

    def prior(self, task: str):
        """The built fusion prior of ``task`` (cached; KeyError naming the task)."""
        if task not in self.prior_cfgs:
            raise KeyError(
                f'RestoreThenFuse has no prior for task {task!r} ({sorted(self.prior_cfgs)})'
            )
        if task not in self._priors:
            cfg = self.prior_cfgs[task]
            self._priors[task] = PRIORS.build(dict(type=cfg) if isinstance(cfg, str) else dict(cfg))
        return self._priors[task]

    def restore(
        self, sources: Sequence[np.ndarray], source_names: Sequence[str], records: Sequence[dict]
    ) -> List[np.ndarray]:
        """The sources with every recorded degradation undone on the sources it hit."""
        out = [np.asarray(s, dtype=np.float32) for s in sources]
        index = {name: i for i, name in enumerate(source_names)}
        for record in reversed(list(records)):
            unknown = [s for s in record['sources'] if s not in index]
            if unknown:
                raise KeyError(
                    f'degradation record {record["type"]} names source(s) {unknown}, not among '
                    f'{list(source_names)}'
                )
            op = self.restorer(record['type'])
            for name in record['sources']:
                out[index[name]] = op(out[index[name]])
        return out

    def __call__(
        self,
        sources: Sequence[np.ndarray],
        source_names: Sequence[str],
        records: Sequence[dict],
        task: str,
    ) -> np.ndarray:
        """Restore, then fuse: the fused luma (H, W) float32 in [0, 1]."""
        restored = self.restore(sources, source_names, records)
        return self.prior(task)([r if r.ndim == 3 else r[..., None] for r in restored])

    def __repr__(self) -> str:
        return f'{type(self).__name__}(priors={self.prior_cfgs}, restorers={self.restorer_cfgs})'
