"""Continual learning across fusion tasks: strategies (EWC, replay), the task-sequence loop and
the accuracy matrix (backward transfer, forgetting). Importing this package registers them."""

from .hooks import ContinualCheckpointHook
from .loops import DEFAULT_TASK_METRICS, TaskSequenceTrainLoop, evaluate_task
from .matrix import summarize_matrix, write_matrix
from .reservoir import TaskBalancedReservoir
from .strategies import (
    EWC,
    BaseContinualStrategy,
    Compose,
    Naive,
    Replay,
    empirical_fisher,
    split_batch,
)

__all__ = [
    'BaseContinualStrategy',
    'Compose',
    'ContinualCheckpointHook',
    'DEFAULT_TASK_METRICS',
    'EWC',
    'Naive',
    'Replay',
    'TaskBalancedReservoir',
    'TaskSequenceTrainLoop',
    'empirical_fisher',
    'evaluate_task',
    'split_batch',
    'summarize_matrix',
    'write_matrix',
]
