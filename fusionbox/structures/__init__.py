from .fusion_sample import TASKS, FusionSample, task_index

__all__ = ['TASKS', 'FusionSample', 'task_index']
