"""Two processes on the CPU through MMEngine's pytorch launcher (torchrun, gloo backend)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fusionbox.utils.checkpoint import load_checkpoint_file

REPO = Path(__file__).resolve().parents[2]
CONFIG = 'configs/allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_process_cpu_training_through_the_pytorch_launcher(tmp_path):
    cmd = [
        sys.executable,
        '-m',
        'torch.distributed.run',
        '--nproc_per_node',
        '2',
        '--master_addr',
        '127.0.0.1',
        '--master_port',
        str(free_port()),
        'tools/train.py',
        CONFIG,
        '--launcher',
        'pytorch',
        '--work-dir',
        str(tmp_path),
        '--cfg-options',
        'train_cfg.max_iters=2',
        'train_dataloader.batch_size=2',
        'model.backbone.arch=unet-t',
        'default_hooks.checkpoint.interval=2',
        'val_cfg=None',
        'val_dataloader=None',
        'val_evaluator=None',
    ]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    ckpt = load_checkpoint_file(tmp_path / 'iter_2.pth')
    assert ckpt['meta']['iter'] == 2
    assert any(k.startswith('backbone.') for k in ckpt['state_dict'])
