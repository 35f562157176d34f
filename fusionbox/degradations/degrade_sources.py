"""The pipeline step that applies registered degradations to the sources of a sample."""

from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform

from fusionbox.registry import DEGRADATIONS, TRANSFORMS


@TRANSFORMS.register_module()
class DegradeSources(BaseTransform):
    """Apply degradations (DEGRADATIONS configs) to the sources they are meant for.

    Reads ``results['sources']`` (list of (H, W, C) float32 in [0, 1]) and
    ``results['source_names']``; keeps the originals in ``results['clean_sources']`` and records
    what was applied in ``results['degradations']`` as ``[(op name, source name), ...]``.

    Args:
        degradations: degradation configs, applied in order.
        seed: make the draw deterministic per sample (seed + ``sample_idx``); None draws fresh
            randomness. Defaults to None.
    """

    def __init__(self, degradations: list, seed: int | None = None):
        self.degradations = [DEGRADATIONS.build(cfg) for cfg in degradations]
        self.names = [cfg['type'] for cfg in degradations]
        self.seed = seed

    def transform(self, results: dict) -> dict:
        if self.seed is None:
            rng = np.random.default_rng()
        else:
            rng = np.random.default_rng([self.seed, int(results.get('sample_idx', 0))])
        sources = list(results['sources'])
        names = list(results.get('source_names', [f'source{i}' for i in range(len(sources))]))
        results['clean_sources'] = [s.copy() for s in sources]
        applied = []
        for op_name, op in zip(self.names, self.degradations):
            for i, source_name in enumerate(names):
                if op.accepts(source_name):
                    sources[i] = op(sources[i], rng)
                    applied.append((op_name, source_name))
        results['sources'] = sources
        results['degradations'] = applied
        return results
