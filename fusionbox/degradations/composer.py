"""Random composition of degradations: 1 to 3 operations per sample from a task-specific set.

Ref: MMAIF (Cao et al., ICCV 2025): a real-world degradation pipeline that draws a few
operations per sample from the set that makes sense for the task, applies them to the source
they concern (rain and snow to the visible image, stripes to the infrared one) and writes a
restoration instruction.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Sequence

import numpy as np

from fusionbox.registry import DEGRADATIONS
from fusionbox.tasks import SpecView

from .base import BaseDegradation

#: Operations drawn per task by default: a live view of each task spec's ``degradations``
#: (:mod:`fusionbox.tasks`).
DEFAULT_TASK_OPS = SpecView('degradations')

#: Groups of which at most one operation is drawn per sample (redundant or contradictory).
DEFAULT_EXCLUSIVE = (
    ('GaussianNoise', 'PoissonNoise'),
    ('GaussianBlur', 'MotionBlur', 'DefocusBlur'),
    ('LowLight', 'OverExposure'),
    ('Rain', 'Snow'),
)

SOURCE_MODES = ('one', 'all', 'random')


def degradation_names() -> Dict[str, str]:
    """Map every accepted spelling (class name, ``key``, lower case) to the registered name."""
    names = {}
    for name, cls in DEGRADATIONS.module_dict.items():
        if isinstance(cls, type) and issubclass(cls, BaseDegradation):
            names[name] = names[name.lower()] = name
            if getattr(cls, 'key', ''):
                names[cls.key] = name
    return names


def resolve_name(name: str) -> str:
    """The registered name of degradation ``name`` (class name or short key, any case)."""
    names = degradation_names()
    for spelling in (name, name.lower(), name.lower().replace('-', '_')):
        if spelling in names:
            return names[spelling]
    keys = sorted(
        {
            cls.key
            for cls in DEGRADATIONS.module_dict.values()
            if isinstance(cls, type) and getattr(cls, 'key', '')
        }
    )
    raise KeyError(f'unknown degradation {name!r}; known: {", ".join(keys)} (or class names)')


@DEGRADATIONS.register_module()
class RandomDegradationComposer:
    """Draw 1 to 3 operations from the task's set, apply them to the sources, record them.

    Registered in DEGRADATIONS next to the operations it composes (it is not an operation).
    The operations drawn for a sample are applied in the order light meets them (weather,
    exposure, optics, sampling, sensor, codec: the ``stage`` of each class); their ``prob`` is
    not used (the draw is the randomness).

    Args:
        task_ops: per task, the operations that may be drawn: registered names, short keys
            (``'rain'``) or full configs (``dict(type='Rain', density=0.01)``).
            Defaults to None (:data:`DEFAULT_TASK_OPS`).
        degradations: per registered name, config overrides used wherever the name appears in
            ``task_ops``, e.g. ``dict(Haze=dict(beta=(1.0, 2.0)))``. Defaults to None.
        num_ops: ``(min, max)`` number of operations per sample (or a fixed int), capped by the
            number usable on the sample. Defaults to (1, 3).
        source_mode: which of the sources an operation accepts it degrades: ``'one'`` (one
            drawn at random), ``'all'``, ``'random'`` (a random non-empty subset).
            Defaults to 'one'.
        exclusive: groups of names of which at most one is drawn. Defaults to None
            (:data:`DEFAULT_EXCLUSIVE`).
        prompt: config of the prompt composer. Defaults to None
            (``dict(type='DegradationPromptComposer')``).
    """

    def __init__(
        self,
        task_ops: dict | None = None,
        degradations: dict | None = None,
        num_ops: int | Sequence[int] = (1, 3),
        source_mode: str = 'one',
        exclusive: Sequence[Sequence[str]] | None = None,
        prompt: dict | None = None,
    ):
        task_ops = DEFAULT_TASK_OPS if task_ops is None else task_ops
        overrides = {resolve_name(k): dict(v) for k, v in (degradations or {}).items()}
        self.ops: Dict[str, List[tuple]] = {}
        for task, entries in task_ops.items():
            built = []
            for entry in entries:
                if isinstance(entry, BaseDegradation):
                    built.append((entry.name, entry))
                    continue
                cfg = dict(entry) if isinstance(entry, dict) else dict(type=entry)
                cfg['type'] = resolve_name(cfg['type'])
                cfg = {**overrides.get(cfg['type'], {}), **cfg}
                built.append((cfg['type'], DEGRADATIONS.build(cfg)))
            self.ops[task] = built
        lo, hi = (num_ops, num_ops) if isinstance(num_ops, int) else tuple(num_ops)
        if not 1 <= lo <= hi:
            raise ValueError(f'num_ops must satisfy 1 <= min <= max, got {num_ops}')
        self.num_ops = (int(lo), int(hi))
        if source_mode not in SOURCE_MODES:
            raise ValueError(f'source_mode must be one of {SOURCE_MODES}, got {source_mode!r}')
        self.source_mode = source_mode
        groups = DEFAULT_EXCLUSIVE if exclusive is None else exclusive
        self.exclusive = [frozenset(resolve_name(n) for n in group) for group in groups]
        self.prompt = DEGRADATIONS.build(prompt or dict(type='DegradationPromptComposer'))

    def allowed(self, task: str, source_names: Sequence[str] | None) -> List[tuple]:
        """The ``(name, op)`` pairs of ``task`` usable on a sample with ``source_names``."""
        if task not in self.ops:
            raise KeyError(
                f'no degradations configured for task {task!r} ' f'(configured: {sorted(self.ops)})'
            )
        if source_names is None:
            return list(self.ops[task])
        return [(n, op) for n, op in self.ops[task] if any(op.accepts(s) for s in source_names)]

    def draw(
        self, task: str, source_names: Sequence[str] | None, rng: np.random.Generator
    ) -> List[tuple]:
        """Draw the operations of one sample, in application order."""
        allowed = self.allowed(task, source_names)
        if not allowed:
            return []
        count = int(rng.integers(self.num_ops[0], self.num_ops[1] + 1))
        chosen: List[int] = []
        for i in rng.permutation(len(allowed)):
            if len(chosen) == count:
                break
            name = allowed[i][0]
            if any(
                name == allowed[j][0] or _conflict(self.exclusive, name, allowed[j][0])
                for j in chosen
            ):
                continue
            chosen.append(int(i))
        chosen.sort(key=lambda j: (allowed[j][1].stage, j))
        return [allowed[j] for j in chosen]

    def targets(
        self,
        op: BaseDegradation,
        source_names: Sequence[str] | None,
        count: int,
        rng: np.random.Generator,
    ) -> List[int]:
        """Indices of the sources ``op`` degrades in this sample."""
        accepted = (
            list(range(count))
            if source_names is None
            else [i for i, s in enumerate(source_names) if op.accepts(s)]
        )
        if self.source_mode == 'all' or len(accepted) == 1:
            return accepted
        if self.source_mode == 'one':
            return [accepted[int(rng.integers(len(accepted)))]]
        keep = [i for i in accepted if rng.random() < 0.5]
        return keep or [accepted[int(rng.integers(len(accepted)))]]

    def __call__(
        self,
        sources: Sequence[np.ndarray],
        source_names: Sequence[str] | None,
        task: str,
        rng: np.random.Generator,
    ) -> dict:
        """Degrade the ``sources`` of one sample.

        Args:
            sources: N images (H, W, C) float32 in [0, 1].
            source_names: their names (None: lone images, every operation applies).
            task: the fusion task, a key of ``task_ops``.
            rng: the random generator (the same state gives the same result).

        Returns:
            dict with ``sources`` (the degraded images), ``records`` (one dict per operation:
            ``type``, ``sources`` (names), ``params`` (the drawn strength per source)) and
            ``prompt``.
        """
        names = None if source_names is None else list(source_names)
        ops = self.draw(task, names, rng)
        out, records = apply_operations(
            ops, sources, names, rng, targets=lambda op: self.targets(op, names, len(sources), rng)
        )
        return dict(sources=out, records=records, prompt=self.prompt(records, names, rng))

    def __repr__(self) -> str:
        tasks = {t: [n for n, _ in ops] for t, ops in self.ops.items()}
        return (
            f'{type(self).__name__}(task_ops={tasks}, num_ops={self.num_ops}, '
            f'source_mode={self.source_mode!r})'
        )


def apply_operations(
    ops: Sequence[tuple],
    sources: Sequence[np.ndarray],
    source_names: Sequence[str] | None,
    rng: np.random.Generator,
    targets: Callable | None = None,
) -> tuple:
    """Apply ``ops`` (``(name, op)`` pairs, in order) to the sources they target.

    Args:
        ops: the operations, applied in the order given.
        sources: N images (H, W, C) float32 in [0, 1].
        source_names: their names; None for lone images (every operation applies to each).
        rng: the random generator.
        targets: ``targets(op) -> indices`` of the sources to degrade. Defaults to None
            (every source the operation accepts).

    Returns:
        ``(degraded sources, records)``; a record is ``dict(type, sources, params)``.
    """
    out = [np.asarray(s, dtype=np.float32) for s in sources]
    labels = (
        list(source_names) if source_names is not None else [f'source{i}' for i in range(len(out))]
    )
    records = []
    for name, op in ops:
        if targets is not None:
            hit = targets(op)
        elif source_names is None:
            hit = list(range(len(out)))
        else:
            hit = [i for i, s in enumerate(source_names) if op.accepts(s)]
        params = []
        for i in hit:
            degraded, p = op.degrade(out[i], rng)
            out[i] = degraded.reshape(out[i].shape)
            params.append(p)
        records.append(dict(type=name, sources=[labels[i] for i in hit], params=params))
    return out, records


def _conflict(groups: List[frozenset], a: str, b: str) -> bool:
    return any(a in g and b in g for g in groups)
