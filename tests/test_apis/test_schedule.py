"""``tools/train.py --iters N``: the schedule, warm-up and intervals scale with the run."""

from pathlib import Path

import pytest
import torch
from mmengine.registry import PARAM_SCHEDULERS

from fusionbox.apis import build_arg_parser, load_config, scale_schedule

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
ALLINONE = str(CONFIGS / 'allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py')  # 2000 iterations
CONTINUAL = str(CONFIGS / 'continual/continual_unet-t_reg_ivf-mif-mef-mff_naive.py')


def _cfg(*argv):
    return load_config(build_arg_parser('train').parse_args([*argv]), 'train')


def _lr_after(cfg, steps: int) -> float:
    """The learning rate after ``steps`` iterations of the config's schedulers (stepped once per
    iteration, as MMEngine's ParamSchedulerHook does)."""
    optimizer = torch.optim.SGD(
        [torch.nn.Parameter(torch.zeros(1))], lr=cfg.optim_wrapper.optimizer.lr
    )
    schedulers = [PARAM_SCHEDULERS.build(dict(s, optimizer=optimizer)) for s in cfg.param_scheduler]
    for _ in range(steps):
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    return optimizer.param_groups[0]['lr']


def test_iters_scales_the_schedule_and_the_intervals():
    cfg = _cfg(ALLINONE, '--iters', '300')
    assert cfg.train_cfg.max_iters == 300
    assert cfg.train_cfg.val_interval == 300  # validation at the end, as in the full run
    warmup, cosine = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 15)  # 100 of 2000 -> 15 of 300
    assert (cosine.begin, cosine.end, cosine.eta_min) == (15, 300, 1e-5)
    assert cfg.default_hooks.checkpoint.interval == 75  # 500 of 2000
    assert cfg.default_hooks.logger.interval == 20


def test_the_learning_rate_reaches_eta_min_at_the_last_iteration():
    full = _cfg(ALLINONE)
    assert _lr_after(full, 2000) == pytest.approx(1e-5, rel=1e-3)  # MMEngine's last cosine step
    scaled = _cfg(ALLINONE, '--iters', '300')
    assert _lr_after(scaled, 300) == pytest.approx(1e-5, rel=1e-2)
    # what max_iters alone does: the full run's cosine, stopped near its start
    cut = _cfg(ALLINONE, '--cfg-options', 'train_cfg.max_iters=300')
    assert _lr_after(cut, 300) == pytest.approx(1.946e-3, rel=1e-3)


def test_cfg_options_override_the_scaled_values():
    cfg = _cfg(ALLINONE, '--iters', '40', '--cfg-options', 'default_hooks.checkpoint.interval=7')
    assert cfg.default_hooks.checkpoint.interval == 7 and cfg.train_cfg.max_iters == 40
    assert cfg.default_hooks.logger.interval == 20 and cfg.param_scheduler[0].end == 2


def test_tiny_runs_keep_every_scheduler_non_empty():
    cfg = _cfg(ALLINONE, '--iters', '2')
    assert [(s.begin, s.end) for s in cfg.param_scheduler] == [(0, 1), (0, 2)]  # 100 -> 0.1
    assert cfg.default_hooks.checkpoint.interval == 1 and cfg.default_hooks.logger.interval == 2


def test_a_task_sequence_scales_its_stages():
    cfg = _cfg(CONTINUAL, '--iters', '20')
    assert cfg.train_cfg.stage_iters == 20
    assert cfg.param_scheduler[0].end == 10  # warm-up 50 of the config's 100 per stage


def test_refusals():
    cfg = _cfg(ALLINONE)
    with pytest.raises(ValueError, match='--iters must be >= 1'):
        scale_schedule(cfg, 0)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)
    with pytest.raises(ValueError, match='EpochBasedTrainLoop has neither'):
        scale_schedule(cfg, 10)
