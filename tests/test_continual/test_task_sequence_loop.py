"""TaskSequenceTrainLoop: a resumed sequence reproduces the uninterrupted run; tools/train.py runs
a sequence end to end and writes the matrix."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from fusionbox.registry import RUNNERS
from fusionbox.utils import register_all_modules
from fusionbox.utils.checkpoint import load_checkpoint_file

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / 'configs/continual/continual_unet-t_reg_ivf-mif-mef-mff_ewc-replay.py'


def tiny_cfg(work_dir, name, **extra):
    """Two stages (ivf, mef) of 3 iterations, batch 2, 32 px crops, one test image per task."""
    cfg = Config.fromfile(str(CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = name
    stages = []
    for task in ('ivf', 'mef'):
        loader = dict(cfg.train_cfg.stages[0].dataloader, batch_size=2)
        loader['dataset'] = dict(loader['dataset'], tasks=[task])
        loader['dataset']['pipeline'][2] = dict(type='PairedRandomCrop', size=32)
        stages.append(dict(name=task, tasks=[task], dataloader=loader))
    evaluations = {}
    for task in ('ivf', 'mef'):
        loader = dict(cfg.train_cfg.evaluations[task].dataloader)
        dataset = loader['dataset']
        loader['dataset'] = dict(dataset, embedded=dict(dataset['embedded'], num_samples=1))
        evaluations[task] = dict(dataloader=loader)
    cfg.train_dataloader = stages[0]['dataloader']
    cfg.train_cfg.stages = stages
    cfg.train_cfg.evaluations = evaluations
    cfg.train_cfg.stage_iters = 3
    cfg.train_cfg.strategy.strategies[0].num_samples = 2
    cfg.train_cfg.strategy.strategies[1].capacity = 4
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.checkpoint.max_keep_ckpts = 5
    cfg.default_hooks.logger.interval = 1
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.merge_from_dict(extra)
    return cfg


def train(cfg):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # much faster than 2 threads on a shared 2-core machine
    try:
        runner = RUNNERS.build(cfg)
        runner.train()
    finally:
        torch.set_num_threads(threads)
    return runner


def params(runner):
    return {k: v.detach().clone() for k, v in runner.model.state_dict().items()}


@pytest.mark.slow
def test_resume_in_the_middle_reproduces_the_uninterrupted_run(tmp_path):
    register_all_modules()
    full = train(tiny_cfg(tmp_path / 'full', 'full'))
    assert full.iter == 6
    loop = full.train_loop
    ckpt = load_checkpoint_file(tmp_path / 'full' / 'iter_4.pth')
    assert ckpt['meta']['iter'] == 4
    state = ckpt['continual']
    assert state['completed'] == 1 and len(state['matrix']) == 1
    ewc_state, replay_state = (s['state'] for s in state['strategy']['strategies'])
    assert len(ewc_state['fishers']) == 1 and ewc_state['anchors']
    assert replay_state['memory']['seen'] == {'ivf': 6, 'mef': 2}

    # resume from iteration 4 (stage 1 of 2, Fisher, anchors and memory from the checkpoint)
    resumed_dir = tmp_path / 'resumed'
    resumed_dir.mkdir()
    shutil.copy(tmp_path / 'full' / 'iter_4.pth', resumed_dir / 'iter_4.pth')
    cfg = tiny_cfg(resumed_dir, 'resumed')
    cfg.resume, cfg.load_from = True, str(resumed_dir / 'iter_4.pth')
    resumed = train(cfg)
    a, b = params(full), params(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
    for row_a, row_b in zip(loop.matrix, resumed.train_loop.matrix):
        assert [v is None for v in row_a] == [v is None for v in row_b]
        assert [v for v in row_a if v is not None] == pytest.approx(
            [v for v in row_b if v is not None], abs=1e-6
        )
    assert len(loop.matrix) == 2 and loop.matrix[0][1] is None
    for name in ('continual_matrix.json', 'stage_1_mef.pth'):
        assert (resumed_dir / name).is_file()


@pytest.mark.slow
def test_train_tool_runs_a_sequence_and_writes_the_matrix(tmp_path):
    opts = [
        'train_cfg.stage_iters=2',
        'default_hooks.logger.interval=1',
        'train_cfg.strategy.strategies.1.capacity=4',
        'train_dataloader.batch_size=2',
        'train_cfg.strategy.strategies.0.num_samples=2',
        'test_dataloader=None',
        'test_evaluator=None',
        'test_cfg=None',
    ]
    for i in range(4):
        opts.append(f'train_cfg.stages.{i}.dataloader.batch_size=2')
    for task in ('ivf', 'mif', 'mef', 'mff'):
        opts.append(f'train_cfg.evaluations.{task}.dataloader.dataset.embedded.num_samples=1')
    proc = subprocess.run(
        [
            sys.executable,
            'tools/train.py',
            str(CONFIG),
            '--work-dir',
            str(tmp_path),
            '--cfg-options',
            *opts,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'loss_ewc' in proc.stdout + proc.stderr
    data = json.loads((tmp_path / 'continual_matrix.json').read_text())
    assert data['stages'] == ['ivf', 'mif', 'mef', 'mff']
    assert len(data['matrix']) == 4 and all(v is not None for v in data['matrix'][-1])
    assert data['matrix'][0][1:] == [None, None, None]
    assert data['summary']['bwt'] is not None
    for ext in ('csv', 'md', 'png'):
        assert (tmp_path / f'continual_matrix.{ext}').is_file()
    assert (tmp_path / 'stage_3_mff.pth').is_file()
