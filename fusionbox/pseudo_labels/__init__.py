"""FusionFM's pseudo-labels: priors (PRIORS) make candidates, a task-aware selector (SELECTORS)
picks one per sample, the Fusion Refiner (REFINERS) enhances its degraded components.

Importing this package registers every component.
"""

from . import priors, refiners, selectors  # noqa: F401  (registers the components)
from .pipeline import DEFAULT_PRIORS, PseudoLabelPipeline, run_pipeline
from .report import write_report
from .samples import list_samples

__all__ = ['DEFAULT_PRIORS', 'PseudoLabelPipeline', 'run_pipeline', 'write_report', 'list_samples']
