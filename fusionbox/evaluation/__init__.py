"""Evaluation: fusion metrics (``functional``), protocol-faithful image reading (``io``), the
MMEngine ``FusionMetric`` and result tables.

Importing this package registers every metric function (``FUSION_METRICS``) without importing
torch: ``FusionMetric`` subclasses MMEngine's ``BaseMetric``, whose import loads torch (~4 s), so
its module :mod:`.fusion_metric` is imported on first use, as an attribute of this package or by
the ``METRICS`` registry (its location) when a config builds ``type='FusionMetric'``. The metric
functions, the ``fusionbox metrics`` command and the folder runs never need it.
"""

from . import functional
from .conformance import REFERENCE_SETS, conformance, load_reference
from .functional import (
    PROTOCOLS,
    SOURCE_ORDER,
    MetricInputError,
    MetricSpec,
    MetricUndefinedError,
    compute_metrics,
    get_metric,
    list_metrics,
    order_sources,
)
from .io import from_unit_tensor, read_for_protocol, to_protocol_array
from .tables import missing_counts, rows_to_csv, rows_to_markdown, summarize, write_tables

#: Names of :mod:`.fusion_metric` served lazily (PEP 562).
_LAZY = ('FusionMetric', 'DEFAULT_METRICS')


def __getattr__(name: str):
    if name in _LAZY:
        from . import fusion_metric

        return getattr(fusion_metric, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'functional',
    'PROTOCOLS',
    'SOURCE_ORDER',
    'MetricSpec',
    'MetricInputError',
    'MetricUndefinedError',
    'compute_metrics',
    'get_metric',
    'list_metrics',
    'FusionMetric',
    'DEFAULT_METRICS',
    'order_sources',
    'read_for_protocol',
    'to_protocol_array',
    'from_unit_tensor',
    'write_tables',
    'summarize',
    'missing_counts',
    'rows_to_csv',
    'rows_to_markdown',
    'REFERENCE_SETS',
    'conformance',
    'load_reference',
]
