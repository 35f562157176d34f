"""The fusion-task specification: everything FusionBox knows about a task, in one place.

A task is a subclass of :class:`FusionTask` whose class attributes are its spec, registered in
:data:`fusionbox.registry.TASKS` under its :attr:`~FusionTask.name`. Every module that behaves
per task (the initial fusion of flow matching, the intensity loss, the degradation sets, the
pseudo-label priors, selector and refiner, the demo, the command line) reads the spec; none keeps
a table of its own. A plugin adds a task the same way::

    class NIRTask(FusionTask):
        name, title = 'nir', 'near-infrared + RGB'
        source_roles, color_roles = ('nir', 'rgb'), ('rgb',)

    registries.TASKS.register_module(name=NIRTask.name, module=NIRTask)

Task ids (rows of the task embedding) are fixed for the built-ins (ivf 0, mif 1, mef 2, mff 3,
their declared :attr:`~FusionTask.task_id`) and given to the other tasks in registration order
after them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Iterator

from fusionbox.registry import TASKS as TASK_REGISTRY

#: The kinds of source image (:attr:`FusionTask.source_kinds`).
SOURCE_KINDS = ('visible', 'infrared', 'medical')
#: The spec attributes every task must define (the others have defaults on :class:`FusionTask`).
REQUIRED = ('name', 'title', 'source_roles')


class FusionTask:
    """The spec of one fusion task (class attributes; a spec is never instantiated).

    Attributes:
        name: short name used in configs, metainfo and on the command line, e.g. ``'ivf'``.
        title: human-readable name.
        task_id: row of the task embedding; declared by the built-ins only (None: the next free
            id, in registration order).
        source_roles: the source folders (roles) in model order, e.g. ``('ir', 'vi')``.
        color_roles: the roles that may be in colour (their chroma recomposes the result).
        source_kinds: the kind of each source in model order (:data:`SOURCE_KINDS`): which
            degradations may hit it (weather and exposure: visible; stripes: infrared). Empty:
            none of a kind (only the degradations for any source).
        has_gt: whether the task defines a ground truth (the embedded benchmark writes one).
        init_fusion: start point of flow matching from the sources, a key of
            :data:`fusionbox.models.losses.intensity_loss.REDUCTIONS` (``'max'``, ``'mean'``,
            ``'focus'``, ...).
        intensity_target: target of the intensity loss (same keys).
        priors: the pseudo-label priors run by default (``PRIORS`` names).
        selector_metrics: the task-aware selector's metric weights (``FUSION_METRICS`` names).
        refiner_components: the Fusion Refiner's detectors, in order (names or dicts).
        degradations: the degradations that may be drawn for the task (``DEGRADATIONS`` names).
        judged_by: the metrics the demo judges the task by.
        baseline_prior: the single prior that fuses restored sources in the restore-then-fuse
            cascade (``PRIORS`` name): the best prior on the held-out real stems.
        degradation_combos: 2-3 operation combinations (``DEGRADATIONS`` names, each allowed
            for the task's sources) that the degraded-input benchmark scores besides the single
            degradations.
        continual_metric: the score of the task in a continual run's accuracy matrix.
        embedded: the module of its embedded-benchmark generator (``SOURCES``,
            ``generate(rng, split, size)``), None if it has none.
        has_mask: whether the embedded generator writes object masks.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    source_roles: ClassVar[tuple]
    task_id: ClassVar[int | None] = None
    color_roles: ClassVar[tuple] = ()
    source_kinds: ClassVar[tuple] = ()
    has_gt: ClassVar[bool] = False
    init_fusion: ClassVar[str] = 'mean'
    intensity_target: ClassVar[str] = 'mean'
    priors: ClassVar[tuple] = ('Average',)
    selector_metrics: ClassVar[Mapping[str, float]] = {'Qabf': 1.0}
    refiner_components: ClassVar[tuple] = ()
    degradations: ClassVar[tuple] = ()
    judged_by: ClassVar[tuple] = ('SF', 'Qabf')
    baseline_prior: ClassVar[str] = 'Average'
    degradation_combos: ClassVar[tuple] = ()
    continual_metric: ClassVar[str] = 'Qabf'
    embedded: ClassVar[str | None] = None
    has_mask: ClassVar[bool] = False

    def __init__(self) -> None:
        raise TypeError(f'{type(self).__name__} is a task spec: read its class attributes')


def _check(key: str, spec: Any) -> type:
    if not (isinstance(spec, type) and issubclass(spec, FusionTask)):
        raise TypeError(f'TASKS entry {key!r} is not a FusionTask subclass: {spec!r}')
    missing = [a for a in REQUIRED if not hasattr(spec, a)]
    if missing:
        raise TypeError(f'task spec {spec.__name__} lacks {missing}')
    if spec.name != key:
        raise ValueError(f'task spec {spec.__name__} has name {spec.name!r}, registered as {key!r}')
    return spec


def all_tasks() -> tuple:
    """Every registered task spec in id order: the built-ins by their declared id, then the
    others in registration order."""
    TASK_REGISTRY.import_from_location()  # the built-in specs
    specs = [_check(k, v) for k, v in TASK_REGISTRY.module_dict.items()]
    declared = sorted((s for s in specs if s.task_id is not None), key=lambda s: s.task_id)
    if [s.task_id for s in declared] != list(range(len(declared))):
        raise ValueError(
            f'declared task ids must be 0..n-1: {[(s.name, s.task_id) for s in declared]}'
        )
    return tuple(declared + [s for s in specs if s.task_id is None])


def task_names() -> tuple:
    """Names of the registered tasks in id order, e.g. ``('ivf', 'mif', 'mef', 'mff')``."""
    return tuple(s.name for s in all_tasks())


def get_task(name: str) -> type:
    """The spec of task ``name``, with a clear error for an unknown one."""
    for spec in all_tasks():
        if spec.name == name:
            return spec
    raise ValueError(
        f'unknown fusion task {name!r}; expected one of {task_names()} (a plugin task is known '
        'once its plugin is loaded: fusionbox.utils.register_all_modules())'
    )


def task_index(name: str) -> int:
    """The id (task-embedding row) of task ``name``; ValueError naming the known ones."""
    names = task_names()
    if name in names:
        return names.index(name)
    get_task(name)  # raises
    raise AssertionError  # pragma: no cover


def role_names(kind: str) -> tuple:
    """The source names of ``kind`` (:data:`SOURCE_KINDS`): the kind itself, then per task in
    id order the roles of that kind and the names its dataset layouts record for them
    (``'visible'`` -> ``('visible', 'vi', 'under', 'over', 'near', 'far', 'a', 'b')``)."""
    from fusionbox.datasets.layouts import LAYOUTS

    if kind not in SOURCE_KINDS:
        raise ValueError(f'unknown source kind {kind!r}; expected one of {SOURCE_KINDS}')
    names = [kind]
    for spec in all_tasks():
        namings = [spec.source_roles] + [
            lay.names for lay in LAYOUTS.values() if lay.task == spec.name
        ]
        if spec.source_kinds and len(spec.source_kinds) != len(spec.source_roles):
            raise ValueError(
                f'task {spec.name!r}: source_kinds {spec.source_kinds} does not match its '
                f'source_roles {spec.source_roles}'
            )
        for naming in namings:
            names += [n for n, k in zip(naming, spec.source_kinds) if k == kind]
    return tuple(dict.fromkeys(names))


def spec_table(attr: str) -> dict:
    """``{task name: getattr(spec, attr)}`` of every registered task, in id order."""
    return {s.name: getattr(s, attr) for s in all_tasks()}


class TaskNames(Sequence):
    """A live, read-only tuple of the registered task names in id order (``len``, ``in``,
    ``index``, iteration, indexing): what ``fusionbox.structures.TASKS`` is."""

    def names(self) -> tuple:
        return task_names()

    def __getitem__(self, i):
        return self.names()[i]

    def __len__(self) -> int:
        return len(self.names())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def index(self, name, *args) -> int:
        return self.names().index(name, *args)

    def __eq__(self, other: object) -> bool:
        return self.names() == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(self.names())

    def __repr__(self) -> str:
        return repr(self.names())


class RoleNames(TaskNames):
    """A live, read-only tuple of the source names of one kind (:func:`role_names`), e.g. the
    ``applies_to`` of the weather degradations: a plugin task's roles join when it registers."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def names(self) -> tuple:
        return role_names(self.kind)


class PluginTaskNames(TaskNames):
    """:class:`TaskNames` after loading the plugins (on first use, never at import): the
    ``choices`` of a command-line ``--task``, so that a plugin's task is accepted."""

    def names(self) -> tuple:
        from fusionbox.plugins import get_plugin_manager

        get_plugin_manager()
        return task_names()


class SpecView(Mapping):
    """A live, read-only ``{task name: spec.<attr>}`` mapping (for modules that exported a
    per-task table before the specs existed; the values live in the specs)."""

    def __init__(self, attr: str) -> None:
        self.attr = attr

    def __getitem__(self, name: str):
        return getattr(get_task(name), self.attr) if name in task_names() else self._missing(name)

    def _missing(self, name: str):
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(task_names())

    def __len__(self) -> int:
        return len(task_names())

    def __repr__(self) -> str:
        return f'SpecView({self.attr!r}: {spec_table(self.attr)!r})'
