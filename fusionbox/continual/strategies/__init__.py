"""Continual-learning strategies (registry ``CONTINUAL_STRATEGIES``)."""

from .base_strategy import BaseContinualStrategy, concat_batches, split_batch
from .compose import Compose
from .ewc import EWC, empirical_fisher, trainable_parameters
from .naive import Naive
from .replay import Replay

__all__ = [
    'BaseContinualStrategy',
    'Compose',
    'EWC',
    'Naive',
    'Replay',
    'concat_batches',
    'empirical_fisher',
    'split_batch',
    'trainable_parameters',
]
