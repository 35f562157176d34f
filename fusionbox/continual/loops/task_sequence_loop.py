"""An MMEngine train loop over a sequence of tasks, with a continual-learning strategy."""

from __future__ import annotations

import logging
import os.path as osp
from typing import Iterator, Sequence

import torch
from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop
from mmengine.runner.utils import set_random_seed
from torch.utils.data import DataLoader

from fusionbox.registry import CONTINUAL_STRATEGIES, HOOKS, LOOPS
from fusionbox.utils.io import atomic_write_text

from ..matrix import summarize_matrix, write_matrix
from .stage_evaluation import DEFAULT_TASK_METRICS, evaluate_task


def _endless(dataloader: DataLoader) -> Iterator:
    """Batches of ``dataloader`` forever (a new epoch when a finite sampler runs out)."""
    epoch = 0
    while True:
        if hasattr(dataloader.sampler, 'set_epoch'):
            dataloader.sampler.set_epoch(epoch)
        yield from dataloader
        epoch += 1


@LOOPS.register_module()
class TaskSequenceTrainLoop(BaseLoop):
    """Train one model on a sequence of stages (e.g. IVF, then MIF, MEF, MFF) with a strategy.

    Each stage trains for its own iterations on its own dataloader. Per iteration the strategy
    may mix samples into the batch (replay) and add penalty terms (EWC, logged as ``loss_ewc``)
    to the model's losses before ``optim_wrapper.update_params``. When a stage ends, the strategy's
    ``after_task`` runs (Fisher, anchors), then every task seen so far is scored on its own
    evaluation dataloader, which fills one row of the accuracy matrix ``R[i][j]`` (score on task
    j after stage i); the matrix, its summaries (average, BWT, forgetting) and a heat map are
    written to ``out_dir`` as ``continual_matrix.{json,csv,md,png}``, and a checkpoint
    ``stage_<i>_<name>.pth`` is saved.

    Iterations count globally (``runner.iter``), so MMEngine's hooks, schedulers and
    ``--resume`` work unchanged; the stage index, the finished stages, the matrix and the
    strategy state travel in ``checkpoint['continual']`` through
    :class:`~fusionbox.continual.ContinualCheckpointHook` (registered here if the config does
    not). A run resumed in the middle of a stage re-seeds the stage, skips the batches already
    trained and so reproduces the uninterrupted run.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The config's ``train_dataloader``; used by stages that
            give no ``dataloader`` of their own.
        stages (Sequence[dict]): In training order, each ``dict(name, tasks=[name],
            max_iters=None, iters_scale=1, dataloader=None)``; ``tasks`` lists the tasks the
            stage trains (several for joint training); without ``max_iters`` a stage trains
            ``round(iters_scale * stage_iters)`` iterations.
        evaluations (dict[str, dict]): Matrix columns, in order: task -> ``dict(dataloader,
            metric=DEFAULT_TASK_METRICS[task])``.
        strategy (dict | None): ``CONTINUAL_STRATEGIES`` config; None gives ``Naive``.
            Defaults to None.
        stage_iters (int): Iterations of a stage that gives no ``max_iters``. Defaults to 1000.
        protocol (str): Metric protocol of :class:`~fusionbox.evaluation.FusionMetric`.
            Defaults to 'standard'.
        eval_unseen (bool): Also score the tasks not trained yet (forward transfer).
            Defaults to False.
        save_stage_checkpoints (bool): Save ``stage_<i>_<name>.pth`` after each stage.
            Defaults to True.
        reseed_stages (bool): Seed the random generators with ``seed + i`` when stage i starts,
            which makes a resumed run reproduce an uninterrupted one. Defaults to True.
        out_dir (str | None): Where the matrix files go. Defaults to the work dir.
    """

    def __init__(
        self,
        runner,
        dataloader: DataLoader | dict,
        stages: Sequence[dict],
        evaluations: dict[str, dict],
        strategy: dict | None = None,
        stage_iters: int = 1000,
        protocol: str = 'standard',
        eval_unseen: bool = False,
        save_stage_checkpoints: bool = True,
        reseed_stages: bool = True,
        out_dir: str | None = None,
    ) -> None:
        super().__init__(runner, dataloader)
        if not stages:
            raise ValueError('TaskSequenceTrainLoop needs at least one stage')
        self.stages = []
        for i, stage in enumerate(stages):
            stage = dict(stage)
            if 'name' not in stage:
                raise KeyError(f'stage {i} needs a name')
            stage['tasks'] = list(stage.get('tasks') or [stage['name']])
            if not stage.get('max_iters'):
                stage['max_iters'] = max(1, round(stage.get('iters_scale', 1) * stage_iters))
            self.stages.append(stage)
        self.tasks = list(evaluations)
        self.metrics = [
            evaluations[t].get('metric') or DEFAULT_TASK_METRICS.get(t, 'SSIM') for t in self.tasks
        ]
        self._eval_cfgs = {t: evaluations[t]['dataloader'] for t in self.tasks}
        self._eval_loaders: dict[str, DataLoader] = {}
        self.strategy = CONTINUAL_STRATEGIES.build(strategy or dict(type='Naive'))
        self.protocol = protocol
        self.eval_unseen = eval_unseen
        self.save_stage_checkpoints = save_stage_checkpoints
        self.reseed_stages = reseed_stages
        self.out_dir = out_dir
        self._bounds = [0]
        for stage in self.stages:
            self._bounds.append(self._bounds[-1] + stage['max_iters'])
        self._iter, self._epoch, self._max_epochs = 0, 0, 1
        self._completed = 0  # stages whose after_task and evaluation are done
        self.matrix: list[list[float | None]] = []
        self._pending_state: dict | None = None
        self.stop_training = False
        if not any(type(h).__name__ == 'ContinualCheckpointHook' for h in runner.hooks):
            runner.register_hook(HOOKS.build(dict(type='ContinualCheckpointHook')))

    # --- the loop API MMEngine reads ----------------------------------------------------------
    @property
    def max_iters(self) -> int:
        return self._bounds[-1]

    @property
    def max_epochs(self) -> int:
        return self._max_epochs

    @property
    def iter(self) -> int:
        return self._iter

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def module(self):
        """The unwrapped model."""
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    # --- checkpoint state (through ContinualCheckpointHook) -----------------------------------
    def continual_state_dict(self) -> dict:
        return {
            'stages': [s['name'] for s in self.stages],
            'completed': self._completed,
            'matrix': [list(row) for row in self.matrix],
            'strategy': self.strategy.state_dict(),
        }

    def load_continual_state_dict(self, state: dict) -> None:
        """Keep ``state`` until :meth:`run` knows whether this is a resume (``iter > 0``)."""
        self._pending_state = state

    def _apply_pending_state(self) -> None:
        state, self._pending_state = self._pending_state, None
        if self._iter == 0:
            if state is not None:
                print_log(
                    'continual state in the loaded checkpoint ignored (not resuming)',
                    logger='current',
                )
            return
        if state is None:
            self._completed = sum(end <= self._iter for end in self._bounds[1:])
            self.matrix = [[None] * len(self.tasks) for _ in range(self._completed)]
            print_log(
                f'resumed at iter {self._iter} without a continual state: the strategy '
                'starts empty and the finished stages have no scores',
                logger='current',
                level=logging.WARNING,
            )
            return
        names = [s['name'] for s in self.stages]
        if state['stages'] != names:
            raise ValueError(f'checkpoint stages {state["stages"]} differ from the config {names}')
        self._completed = int(state['completed'])
        self.matrix = [list(row) for row in state['matrix']]
        self.strategy.load_state_dict(state['strategy'])
        print_log(
            f'resumed the task sequence at stage {self.stage_index(self._iter)}, iter '
            f'{self._iter} ({self._completed} stages finished)',
            logger='current',
        )

    def stage_index(self, it: int) -> int:
        """The stage that global iteration ``it`` belongs to."""
        return next((i for i, end in enumerate(self._bounds[1:]) if it < end), len(self.stages) - 1)

    # --- running ------------------------------------------------------------------------------
    def run(self):
        self._apply_pending_state()
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        for index in range(self._completed, len(self.stages)):
            batches = self._train_stage(index)
            if self.stop_training:
                break
            self._finish_stage(index, batches)
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model

    def _train_stage(self, index: int) -> Iterator:
        stage, begin, end = self.stages[index], self._bounds[index], self._bounds[index + 1]
        if self.reseed_stages:
            set_random_seed(
                self.runner.seed + index,
                diff_rank_seed=self.runner.cfg.get('randomness', {}).get('diff_rank_seed', False),
            )
        loader_cfg = stage.get('dataloader')
        self.dataloader = (
            self.dataloader
            if loader_cfg is None
            else self.runner.build_dataloader(loader_cfg, seed=self.runner.seed)
        )
        batches = _endless(self.dataloader)
        done = min(max(self._iter - begin, 0), end - begin)
        if done:
            print_log(
                f'stage {index} ({stage["name"]}): skipping {done} trained batches',
                logger='current',
            )
        for _ in range(done):
            next(batches)
        self.strategy.before_task(self.module, stage['tasks'], index)
        print_log(
            f'stage {index} ({stage["name"]}, tasks {stage["tasks"]}): iters '
            f'{max(self._iter, begin)}..{end}',
            logger='current',
        )
        while self._iter < end and not self.stop_training:
            self.runner.model.train()
            self._run_iter(next(batches))
        return batches

    def _run_iter(self, data_batch: dict) -> None:
        self.runner.call_hook('before_train_iter', batch_idx=self._iter, data_batch=data_batch)
        mixed = self.strategy.mix_batch(data_batch)
        outputs = self._train_step(mixed)
        self.strategy.observe(data_batch)
        self.runner.call_hook(
            'after_train_iter', batch_idx=self._iter, data_batch=mixed, outputs=outputs
        )
        self._iter += 1

    def _train_step(self, data_batch: dict) -> dict:
        """``BaseModel.train_step`` with the strategy's penalty added to the losses."""
        model, module, optim_wrapper = self.runner.model, self.module, self.runner.optim_wrapper
        with optim_wrapper.optim_context(model):
            data = module.data_preprocessor(data_batch, True)
            losses = model(**data, mode='loss')
        losses.update(self.strategy.penalty(module))  # float32, outside autocast
        parsed, log_vars = module.parse_losses(losses)
        optim_wrapper.update_params(parsed)
        return log_vars

    def _loss(self, data_batch: dict) -> torch.Tensor:
        """The objective's total loss of a batch (no strategy terms), on the unwrapped model."""
        module = self.module
        data = module.data_preprocessor(data_batch, True)
        parsed, _ = module.parse_losses(module(**data, mode='loss'))
        return parsed

    def _finish_stage(self, index: int, batches: Iterator) -> None:
        stage = self.stages[index]
        self.module.eval()
        self.strategy.after_task(self.module, batches, self._loss)
        seen = {t for s in self.stages[: index + 1] for t in s['tasks']}
        row: list[float | None] = []
        for task, metric in zip(self.tasks, self.metrics):
            if task not in seen and not self.eval_unseen:
                row.append(None)
                continue
            if task not in self._eval_loaders:
                self._eval_loaders[task] = self.runner.build_dataloader(self._eval_cfgs[task])
            row.append(
                evaluate_task(self.runner, self._eval_loaders[task], task, metric, self.protocol)
            )
        self.matrix.append(row)
        self._completed = index + 1
        scores = {
            f'continual/{t}/{m}': v
            for t, m, v in zip(self.tasks, self.metrics, row)
            if v is not None
        }
        self.runner.visualizer.add_scalars(scores, step=self._iter)
        print_log(
            f'stage {index} ({stage["name"]}) done: '
            + ', '.join(f'{k[len("continual/"):]}={v:.4f}' for k, v in scores.items()),
            logger='current',
        )
        if is_main_process():
            self.write_results()
        if self.save_stage_checkpoints:
            filename = f'stage_{index}_{stage["name"]}.pth'
            self.runner.save_checkpoint(
                self.runner.work_dir, filename, meta=dict(epoch=self._epoch, iter=self._iter)
            )
            if is_main_process():  # what `--resume` (auto) picks up next: moved at every stage
                atomic_write_text(
                    osp.join(self.runner.work_dir, 'last_checkpoint'),
                    osp.join(self.runner.work_dir, filename),
                    overwrite=True,
                )

    def write_results(self) -> dict:
        """Write the matrix files; returns the summary (average, BWT, forgetting...)."""
        names = [s['name'] for s in self.stages]
        stage_tasks = [s['tasks'] for s in self.stages]
        out_dir = self.out_dir or self.runner.work_dir
        # re-rendered after every stage (a resumed run continues the same matrix)
        write_matrix(
            out_dir, self.matrix, names, stage_tasks, self.tasks, self.metrics, overwrite=True
        )
        summary = summarize_matrix(self.matrix, stage_tasks, self.tasks)
        print_log(
            'continual summary: '
            + ', '.join(f'{k}={v:.4f}' for k, v in summary.items() if v is not None),
            logger='current',
        )
        return summary
