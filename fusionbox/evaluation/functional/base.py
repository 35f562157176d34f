"""How a fusion metric is declared, registered and dispatched to a protocol.

A metric is one registered function ``metric(fused, sources=(), gt=None, protocol='standard')``
in :data:`~fusionbox.registry.FUSION_METRICS`. Its :class:`MetricSpec` (attribute ``spec``) says
whether higher is better, whether it needs a ground truth, and which protocols implement it.

Conventions (said once, here):

* images are grey arrays ``(H, W)`` with values in 0..255 (the ``vifb`` protocol also accepts
  ``(H, W, 3)`` and evaluates per channel as VIFB does);
* ``sources`` is a sequence of N source images in the order the protocol expects
  (``vifb``: visible first, then infrared; ``tang``: infrared first);
* ``standard`` computes in float64; published protocols reproduce their evaluator's dtypes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Sequence

import numpy as np

from fusionbox.registry import FUSION_METRICS

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
    """

    name: str
    higher_is_better: bool
    needs_gt: bool = False
    impls: Dict[str, Callable] = field(default_factory=dict)
    description: str = ''

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


def define_metric(
    name: str,
    higher_is_better: bool,
    impls: Dict[str, Callable],
    needs_gt: bool = False,
    description: str = '',
) -> Callable:
    """Build the public function of a metric and register it in ``FUSION_METRICS``.

    Returns:
        ``metric(fused, sources=(), gt=None, protocol='standard') -> float`` with the
        attribute ``spec`` (:class:`MetricSpec`) and ``higher_is_better``.
    """
    spec = MetricSpec(name, higher_is_better, needs_gt, dict(impls), description)

    def metric(fused, sources: Sequence = (), gt=None, protocol: str = 'standard') -> float:
        fn = spec.impl(protocol)
        if spec.needs_gt and gt is None:
            raise ValueError(f'{name} is a full-reference metric and needs gt')
        return float(fn(fused, list(sources), gt))

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
    """The registered metric function called ``name`` (KeyError listing the known names)."""
    fn = FUSION_METRICS.get(name)
    if fn is None:
        raise KeyError(f'unknown fusion metric {name!r}; known: {", ".join(list_metrics())}')
    return fn


def list_metrics(protocol: str | None = None) -> list:
    """Names of the registered metrics, optionally only those defined under ``protocol``."""
    names = sorted(FUSION_METRICS.module_dict)
    if protocol is None:
        return names
    return [n for n in names if protocol in FUSION_METRICS.get(n).spec.protocols]


def compute_metrics(
    names: Sequence[str], fused, sources: Sequence, gt=None, protocol: str = 'standard'
) -> Dict[str, float]:
    """Compute several metrics on one image; full-reference metrics are left out when
    ``gt`` is None (not zero-filled)."""
    out = {}
    for name in names:
        fn = get_metric(name)
        if fn.spec.needs_gt and gt is None:
            continue
        out[name] = fn(fused, sources, gt, protocol=protocol)
    return out


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
        raise ValueError(f'{name} is defined for exactly two sources, got {len(sources)}')
    return sources
