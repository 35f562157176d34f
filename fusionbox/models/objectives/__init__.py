"""Training objectives (registry ``OBJECTIVES``): how a backbone is trained and sampled."""

from .base_objective import BaseObjective
from .flow_matching import FlowMatching
from .regression import Regression

__all__ = ['BaseObjective', 'FlowMatching', 'Regression']
