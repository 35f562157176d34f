"""How a fusion metric is declared, registered and dispatched to a protocol.

A metric is one registered function ``metric(fused, sources=(), gt=None, protocol='standard')``
in :data:`~fusionbox.registry.FUSION_METRICS`. Its :class:`MetricSpec` (attribute ``spec``) says
whether higher is better, whether it needs a ground truth, and which protocols implement it.

Conventions (said once, here):

* images are arrays with values in 0..255: grey ``(H, W)`` or ``(H, W, 1)``, or RGB
  ``(H, W, 3)``. The ``vifb`` and ``mefb`` protocols evaluate colour per channel as their
  evaluators do; the grey protocols first convert colour with their own documented conversion
  (:func:`protocol_image`: ``standard`` BT.601 luma, ``cddfuse`` OpenCV's rounded grey, ``tang``
  MATLAB's ``rgb2gray``), as their image readers (:mod:`fusionbox.evaluation.io`) do;
* ``sources`` is a sequence of N source images in the order the protocol expects
  (``vifb``: visible first, then infrared; ``tang``: infrared first);
* ``standard`` computes in float64; published protocols reproduce their evaluator's dtypes.

Every call goes through the function :func:`define_metric` builds, which checks the inputs once
(:func:`check_inputs`: real (H, W), (H, W, 1) or (H, W, 3) arrays, finite values, equal sizes,
the metric's minimum size, the sources it needs) and raises :class:`MetricInputError` naming
the image and the problem; it computes under ``np.errstate(all='ignore')`` (no numpy
warnings) and never returns NaN: a computation that still gives NaN raises
:class:`MetricUndefinedError`. Degenerate but valid inputs (constant or identical images) get
the conventions documented per metric in ``docs/user_guides/metrics.md``; ``+inf`` is returned
only by PSNR of identical images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

from fusionbox.registry import FUSION_METRICS
from fusionbox.utils.errors import FusionBoxError

from .cache import cached, source_cache
from .parallel import default_threads, parallel_map

#: Protocols FusionBox knows, with the evaluator each one reproduces.
PROTOCOLS = {
    'standard': 'textbook definitions, float64 (FusionBox)',
    'cddfuse': 'Zhaozixiang1228/MMIF-CDDFuse utils/Evaluator.py (float32, scikit-image 0.19)',
    'vifb': 'xingchenzhang/VIFB metrics/*.m (MATLAB)',
    'tang': 'Linfeng-Tang/Image-Fusion Evaluation/analysis_Reference.m (MATLAB, uint8)',
    'mefb': 'xingchenzhang/MEFB metrics/*.m (MATLAB; 20 metrics)',
}

#: Source order each protocol expects for infrared-visible pairs (names as in the datasets).
SOURCE_ORDER = {'vifb': ('vi', 'ir'), 'tang': ('ir', 'vi'), 'cddfuse': ('ir', 'vi')}
#: Protocols whose evaluators compute colour images channel by channel; the others on grey.
COLOUR_PROTOCOLS = ('vifb', 'mefb')


class MetricInputError(FusionBoxError, ValueError):
    """The input of a metric is unusable: non-finite values, sizes that differ, too small for
    the metric, not an (H, W), (H, W, 1) or (H, W, 3) real array, or the wrong number of
    sources. The message names the metric, the image ('fused', 'source k' (0-based), 'gt') and
    the problem. (Folder runs also raise it for a sample whose files differ in size, naming the
    files.)"""


class MetricUndefinedError(FusionBoxError, ValueError):
    """A metric has no value on a valid input (e.g. Qabf when no source has any gradient); the
    message names the metric and the reason."""


@dataclass(frozen=True)
class MetricSpec:
    """What a metric is: its name, direction and the protocols that implement it.

    Args:
        name: registry name, e.g. ``'Qabf'``.
        higher_is_better: direction of the metric.
        needs_gt: True for full-reference metrics (skipped for samples without ground truth).
        impls: protocol name -> implementation ``fn(fused, sources, gt)``; the key ``'*'``
            serves every protocol. Defaults to an empty dict.
        description: one line for tables and ``fusionbox list``.
        min_size: protocol name (``'*'``: every protocol) -> the smallest image side the
            definition needs (windows, scales). Defaults to 1 everywhere.
        size_note: why that minimum, for the error message. Defaults to ''.
        uses_sources: False for metrics of the fused image alone (EN, SD, SF, AG, EI) and the
            full-reference ones; their sources are neither needed nor checked. Defaults to True.
    """

    name: str
    higher_is_better: bool
    needs_gt: bool = False
    impls: Dict[str, Callable] = field(default_factory=dict)
    description: str = ''
    min_size: Dict[str, int] = field(default_factory=dict)
    size_note: str = ''
    uses_sources: bool = True

    def min_side(self, protocol: str) -> int:
        """The smallest image side the metric accepts under ``protocol``."""
        return int(self.min_size.get(protocol, self.min_size.get('*', 1)))

    @property
    def protocols(self) -> tuple:
        return tuple(PROTOCOLS) if '*' in self.impls else tuple(self.impls)

    def impl(self, protocol: str) -> Callable:
        if protocol not in PROTOCOLS:
            raise ValueError(
                f'unknown metric protocol {protocol!r}; expected one of ' f'{tuple(PROTOCOLS)}'
            )
        fn = self.impls.get(protocol, self.impls.get('*'))
        if fn is None:
            raise KeyError(
                f'metric {self.name!r} is not defined under protocol {protocol!r} '
                f'(it is under: {", ".join(self.protocols)})'
            )
        return fn


def _image(x, role: str, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in 'biuf':
        raise MetricInputError(f'{name}: {role} must be a real numeric array, got dtype {a.dtype}')
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3)):
        raise MetricInputError(
            f'{name}: {role} must be a 2-D grey (H, W) or a 3-D grey (H, W, 1) or RGB (H, W, 3) '
            f'array, got shape {a.shape}'
        )
    if a.size == 0:
        raise MetricInputError(f'{name}: {role} is empty, shape {a.shape}')
    if a.dtype.kind == 'f' and not cached('finite', (a,), lambda: bool(np.isfinite(a).all())):
        n_nan, n_inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
        raise MetricInputError(
            f'{name}: {role} has {n_nan} NaN and {n_inf} infinite value(s); metrics need finite '
            'images'
        )
    return a


def check_inputs(spec: MetricSpec, protocol: str, fused, sources: Sequence = (), gt=None):
    """Validate a metric's inputs once; returns ``(fused, sources, gt)`` as the arrays the
    protocol computes on (:func:`protocol_image`).

    Raises:
        MetricInputError: naming the metric, the image ('fused', 'source k', 'gt') and the
            problem (dtype, dimensions, NaN / inf, sizes that differ, too small, no sources).
    """
    name = spec.name

    def image(x, role):
        return protocol_image(_image(x, role, name), protocol)

    fused = image(fused, 'fused')
    images = [('fused', fused)]
    srcs = list(sources) if sources is not None else []
    if spec.uses_sources:
        if not srcs:
            raise MetricInputError(f'{name} compares the fused image with its sources; got none')
        srcs = [image(s, f'source {k}') for k, s in enumerate(srcs)]
        images += [(f'source {k}', s) for k, s in enumerate(srcs)]
    if spec.needs_gt:
        if gt is None:
            raise MetricInputError(f'{name} is a full-reference metric and needs gt')
        gt = image(gt, 'gt')
        images.append(('gt', gt))
    sizes = {a.shape[:2] for _, a in images}
    if len(sizes) > 1:
        shapes = ', '.join(f'{role} {a.shape}' for role, a in images)
        raise MetricInputError(f'{name}: image sizes differ: {shapes}')
    side = spec.min_side(protocol)
    if min(fused.shape[:2]) < side:
        note = f' ({spec.size_note})' if spec.size_note else ''
        raise MetricInputError(
            f'{name} needs images of at least {side} pixels a side under protocol '
            f'{protocol!r}{note}; got {fused.shape[0]}x{fused.shape[1]}'
        )
    return fused, srcs, gt


def protocol_image(a: np.ndarray, protocol: str) -> np.ndarray:
    """An image array as ``protocol`` computes on it: (H, W, 1) becomes (H, W); RGB (H, W, 3)
    is kept by :data:`COLOUR_PROTOCOLS` and converted to grey by the others as their readers
    do: ``standard`` BT.601 luma in float64 (unrounded), ``cddfuse`` OpenCV's
    ``round(cvtColor(BGR, BGR2GRAY))`` in float32, ``tang`` MATLAB's ``rgb2gray``. A grey
    (H, W) array is returned as is (the same object, so the source cache still finds it)."""
    a = np.asarray(a)
    if a.ndim != 3:
        return a
    if a.shape[2] == 1:
        return a[..., 0]  # (H, W)
    if protocol in COLOUR_PROTOCOLS:
        return a
    if protocol == 'tang':
        return matlab_rgb2gray(a)
    if protocol == 'cddfuse':
        import cv2

        # the evaluator's channel order and op (stacked: faster than a reversed-stride copy)
        bgr = np.stack([a[..., 2], a[..., 1], a[..., 0]], -1).astype(np.float32)
        return np.round(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    return a.astype(np.float64) @ np.array([0.299, 0.587, 0.114])  # (H, W)


def define_metric(
    name: str,
    higher_is_better: bool,
    impls: Dict[str, Callable],
    needs_gt: bool = False,
    description: str = '',
    min_size: int | Dict[str, int] = 1,
    size_note: str = '',
    uses_sources: bool = True,
) -> Callable:
    """Build the public function of a metric and register it in ``FUSION_METRICS``.

    ``min_size`` is the smallest image side the definition needs (an int, or a dict protocol ->
    int with ``'*'`` for the others); ``uses_sources=False`` for metrics of the fused image
    alone. See :class:`MetricSpec`.

    Returns:
        ``metric(fused, sources=(), gt=None, protocol='standard') -> float`` with the
        attribute ``spec`` (:class:`MetricSpec`) and ``higher_is_better``. It raises
        :class:`MetricInputError` for unusable inputs and :class:`MetricUndefinedError` where
        the metric has no value; it never returns NaN and emits no numpy warnings.
    """
    sizes = {'*': min_size} if isinstance(min_size, int) else dict(min_size)
    spec = MetricSpec(
        name,
        higher_is_better,
        needs_gt,
        dict(impls),
        description,
        sizes,
        size_note,
        uses_sources and not needs_gt,
    )

    def metric(fused, sources: Sequence = (), gt=None, protocol: str = 'standard') -> float:
        fn = spec.impl(protocol)
        fused, srcs, gt = check_inputs(spec, protocol, fused, sources, gt)
        with np.errstate(all='ignore'):
            value = float(fn(fused, srcs, gt))
        if math.isnan(value):
            raise MetricUndefinedError(
                f'{name} is undefined on this input under protocol {protocol!r} (the '
                'computation gives NaN)'
            )
        return value + 0.0  # -0.0 -> 0.0

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = (
        f'{description}\n\n{"Higher" if higher_is_better else "Lower"} is better. '
        f'Protocols: {", ".join(spec.protocols)}.'
    )
    metric.spec = spec
    metric.higher_is_better = higher_is_better
    FUSION_METRICS.register_module(name=name, module=metric)
    return metric


def get_metric(name: str) -> Callable:
    """The registered metric function called ``name`` (KeyError listing the known names).

    Read from the registry's table: ``Registry.get`` logs through MMEngine's logger, whose first
    use imports torch (~4 s) for the process rank; the metric functions never need it.
    """
    fn = FUSION_METRICS.module_dict.get(name)
    if fn is None and '.' in name:  # a scoped name ('fusionbox.EN'): the registry resolves it
        fn = FUSION_METRICS.get(name)
    if fn is None:
        raise KeyError(f'unknown fusion metric {name!r}; known: {", ".join(list_metrics())}')
    return fn


def list_metrics(protocol: str | None = None) -> list:
    """Names of the registered metrics, optionally only those defined under ``protocol``."""
    names = sorted(FUSION_METRICS.module_dict)
    if protocol is None:
        return names
    return [n for n in names if protocol in get_metric(n).spec.protocols]


def evaluate_image(
    names: Sequence[str],
    fused,
    sources: Sequence = (),
    gt=None,
    protocol: str = 'standard',
    threads: int | None = None,
    strict: bool = False,
) -> Tuple[Dict[str, float], Dict[str, str]]:
    """Several metrics on one fused image, run concurrently in ``threads`` threads (default
    :func:`~.parallel.default_threads`; the array work releases the GIL). Full-reference
    metrics are left out when ``gt`` is None (not zero-filled).

    Returns:
        ``(values, errors)``: metric -> value for the metrics that have one, and metric ->
        message for those that raised :class:`MetricInputError` or
        :class:`MetricUndefinedError` (raised instead when ``strict``). Both follow ``names``'
        order; the values do not depend on ``threads``.
    """
    return evaluate_candidates(names, [fused], sources, gt, protocol, threads, strict)[0]


def evaluate_candidates(
    names: Sequence[str],
    candidates: Sequence,
    sources: Sequence = (),
    gt=None,
    protocol: str = 'standard',
    threads: int | None = None,
    strict: bool = False,
) -> List[Tuple[Dict[str, float], Dict[str, str]]]:
    """:func:`evaluate_image` for several fused ``candidates`` of one sample: what the metrics
    derive from the sources (and ``gt``) is computed once for all of them
    (:func:`~.cache.source_cache`); the values equal separate :func:`evaluate_image` calls.

    Returns:
        one ``(values, errors)`` per candidate, in order.
    """
    fns = [(name, get_metric(name)) for name in names]
    todo = [(n, fn) for n, fn in fns if gt is not None or not fn.spec.needs_gt]
    threads = default_threads() if threads is None else max(1, int(threads))
    grey = _convert_valid(protocol)
    sources = [grey(s) for s in sources] if sources is not None else []
    gt = None if gt is None else grey(gt)
    with source_cache():  # sources converted once: the cache keys on the array objects
        return [
            _evaluate_one(todo, grey(f), sources, gt, protocol, threads, strict) for f in candidates
        ]


def _convert_valid(protocol: str) -> Callable:
    """:func:`protocol_image` for arrays of a supported shape; others are left for each
    metric's check to refuse, naming the metric."""

    def convert(x):
        a = np.asarray(x)
        ok = a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (1, 3) and a.dtype.kind in 'biuf')
        return protocol_image(a, protocol) if ok and protocol in PROTOCOLS else a

    return convert


def _evaluate_one(todo, fused, sources, gt, protocol, threads, strict):
    def run(item):
        name, fn = item
        try:
            return name, fn(fused, sources, gt, protocol=protocol), None
        except (MetricInputError, MetricUndefinedError) as e:
            if strict:
                raise
            return name, None, str(e)

    results = parallel_map(run, todo, 'metrics', threads)
    values = {n: v for n, v, e in results if e is None}
    errors = {n: e for n, _, e in results if e is not None}
    return values, errors


def compute_metrics(
    names: Sequence[str],
    fused,
    sources: Sequence,
    gt=None,
    protocol: str = 'standard',
    threads: int | None = None,
) -> Dict[str, float]:
    """:func:`evaluate_image` that raises the first metric error instead of collecting it."""
    return evaluate_image(names, fused, sources, gt, protocol, threads, strict=True)[0]


def order_sources(sources: list, names: Sequence[str] | None, protocol: str) -> list:
    """Reorder sources into the order ``protocol`` expects (e.g. ``vifb``: vi, ir) when their
    names are exactly the protocol's names; otherwise keep the model order."""
    order = SOURCE_ORDER.get(protocol)
    if not order or not names or sorted(names) != sorted(order):
        return list(sources)
    return [sources[list(names).index(n)] for n in order]


# --- input helpers shared by the families ----------------------------------------------------
def as_f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def as_f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def as_u8(x) -> np.ndarray:
    """uint8 as MATLAB converts: round half away from zero, saturate."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x
    return np.clip(matlab_round(x.astype(np.float64)), 0, 255).astype(np.uint8)


def matlab_round(x):
    """MATLAB ``round``: halves away from zero (numpy rounds halves to even)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def matlab_rgb2gray(x) -> np.ndarray:
    """MATLAB ``rgb2gray`` on (H, W, 3) RGB: rounded to uint8 for uint8 input, float otherwise."""
    x = np.asarray(x)
    y = (
        0.298936021293775 * x[..., 0].astype(np.float64)
        + 0.587043074451121 * x[..., 1]
        + 0.114020904255103 * x[..., 2]
    )
    return as_u8(y) if x.dtype == np.uint8 else y


def grey(x) -> np.ndarray:
    """(H, W) view of an image: colour (H, W, 3) goes through MATLAB's ``rgb2gray``."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[2] == 3:
        return matlab_rgb2gray(x)
    return x.reshape(x.shape[:2])


def per_channel(fn: Callable) -> Callable:
    """VIFB's wrapper: a colour fused image is evaluated channel by channel (a grey source is
    repeated for every channel, a colour one gives its channel) and the values averaged; with a
    grey fused image the colour sources are converted to grey."""

    def wrapped(fused, sources, gt=None):
        fused = np.asarray(fused)
        if fused.ndim == 3 and fused.shape[2] > 1:
            vals = []
            for k in range(fused.shape[2]):
                chans = [
                    np.asarray(s)[..., k] if np.ndim(s) == 3 else np.asarray(s) for s in sources
                ]
                vals.append(fn(fused[..., k], chans, gt))
            return float(np.mean(vals))
        return fn(grey(fused), [grey(s) for s in sources], gt)

    wrapped.__name__ = getattr(fn, '__name__', 'wrapped')
    return wrapped


def mefb_channels(fn):
    """MEFB's wrapper: grey sources with a colour fused image use its first (red) channel; a
    colour fused image with colour sources is evaluated per channel and averaged."""

    def wrapped(fused, sources, gt=None):
        fused = np.asarray(fused)
        srcs = [np.asarray(s) for s in sources]
        if fused.ndim == 3 and all(s.ndim == 2 for s in srcs):
            fused = fused[..., 0]
        if fused.ndim == 2:
            return fn(fused, [grey(s) for s in srcs], gt)
        return float(
            np.mean(
                [
                    fn(fused[..., k], [s[..., k] if s.ndim == 3 else s for s in srcs], gt)
                    for k in range(fused.shape[2])
                ]
            )
        )

    return wrapped


def two_sources(sources, name: str):
    if len(sources) != 2:
        raise MetricInputError(f'{name} is defined for exactly two sources, got {len(sources)}')
    return sources
