"""The wrong prompt of a prompt-response test: one that names an operation that was not applied.

A model that reads its prompt should fuse better with the right prompt (the one composed for the
operations applied) than with a wrong one or the empty one. The benchmarks
``benchmarks/prompt_response.py`` and ``benchmarks/mmaif_degraded.py`` draw the wrong prompt here.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np


def wrong_operation(
    composer, task: str, names: Sequence[str], records: Sequence[dict], rng: np.random.Generator
) -> List[dict]:
    """A one-operation record of the task's set that was not applied, nor exclusive with an
    applied one (Poisson noise is no wrong prompt for Gaussian noise), on the sources the first
    applied operation hit when it can hit them, else on a drawn source it accepts.

    Args:
        composer: the :class:`~fusionbox.degradations.RandomDegradationComposer` of the task
            sets and exclusive groups.
        task: the sample's task.
        names: the sample's source names.
        records: the applied operations (``type``, ``sources``), at least one.
        rng: draws the operation (and the source).

    Returns:
        ``[dict(type=..., sources=[...])]``.
    """
    if not records:
        raise ValueError('no applied operation: a wrong prompt needs one to differ from')
    applied = {r['type'] for r in records}
    same = {n for group in composer.exclusive if group & applied for n in group} | applied
    other = [(n, op) for n, op in composer.allowed(task, names) if n not in same]
    if not other:
        raise ValueError(f'task {task!r} has no operation besides {sorted(applied)} for {names}')
    name, op = other[int(rng.integers(len(other)))]
    hit = [s for s in records[0]['sources'] if op.accepts(s)]
    if not hit:
        accepted = [s for s in names if op.accepts(s)]
        hit = [accepted[int(rng.integers(len(accepted)))]]
    return [dict(type=name, sources=hit)]


def wrong_prompt(
    composer, task: str, names: Sequence[str], records: Sequence[dict], rng: np.random.Generator
) -> str:
    """The prompt of :func:`wrong_operation`, composed by ``composer``'s prompt composer."""
    return composer.prompt(wrong_operation(composer, task, names, records, rng), list(names), rng)
