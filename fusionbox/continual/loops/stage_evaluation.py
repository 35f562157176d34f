"""Scoring a model on one task's evaluation data, as the task-sequence loop does after a stage."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader

from fusionbox.tasks import SpecView

#: The score of each task in the accuracy matrix unless a config chooses (Qabf where the task has
#: no ground truth, SSIM against it where it has one): a live view of each task spec's
#: ``continual_metric`` (:mod:`fusionbox.tasks`).
DEFAULT_TASK_METRICS = SpecView('continual_metric')


def evaluate_task(
    runner, dataloader: DataLoader, task: str, metric: str, protocol: str = 'standard'
) -> float:
    """Mean of ``metric`` (a ``FUSION_METRICS`` name, higher is better) of ``runner.model`` on
    ``dataloader``, through :class:`~fusionbox.evaluation.FusionMetric` (results gathered over
    the processes of a distributed run). Leaves the model in eval mode."""
    evaluator = runner.build_evaluator(
        dict(type='FusionMetric', metric_names=[metric], protocol=protocol)
    )
    model = runner.model
    model.eval()
    with torch.no_grad():
        for data_batch in dataloader:
            outputs = model.val_step(data_batch)
            evaluator.process(data_samples=outputs, data_batch=data_batch)
    scores = evaluator.evaluate(len(dataloader.dataset))
    value = scores.get(f'{task}/{metric}', scores.get(metric))
    if value is None:
        raise KeyError(f'evaluation of task {task!r} gave no {metric!r}; got {sorted(scores)}')
    return float(value)
