"""Evaluation: fusion metrics (``functional``), protocol-faithful image reading (``io``), the
MMEngine ``FusionMetric`` and result tables. Importing this package registers everything."""

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
)
from .fusion_metric import DEFAULT_METRICS, FusionMetric, order_sources
from .io import from_unit_tensor, read_for_protocol, to_protocol_array
from .tables import missing_counts, rows_to_csv, rows_to_markdown, summarize, write_tables

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
