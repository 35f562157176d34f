"""Training loops over a sequence of tasks (registry ``LOOPS``)."""

from .stage_evaluation import DEFAULT_TASK_METRICS, evaluate_task
from .task_sequence_loop import TaskSequenceTrainLoop

__all__ = ['DEFAULT_TASK_METRICS', 'TaskSequenceTrainLoop', 'evaluate_task']
