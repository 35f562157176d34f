"""Two CPU processes (gloo) through MMEngine's pytorch launcher (``torchrun`` + ``tools/train.py
--launcher pytorch``) with batch 1 each reach the parameters of one process with batch 2.

Equivalent runs need: the same samples per step (MMEngine's samplers give rank r the indices
r, r + 2, ... of the same seeded order, one process takes them in pairs), no per-process random
augmentation (crops and flips draw from each process's own generator, so the tiny config uses the
test pipeline), and per-sample losses averaged over equal-sized images (DDP's gradient mean then
equals the mean over the whole batch; one task, so no batch-dependent task weighting).
Tolerance: |difference| <= 1e-5 on every parameter after 3 AdamW steps (measured: 1.6e-6, while
two steps move a parameter by 5e-4). The gradient sums are reduced in another order, so the runs
agree to float32 rounding amplified by Adam's normalisation, not bit for bit.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fusionbox.utils.checkpoint import load_checkpoint_file

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'
TOLERANCE = 1e-5
OPTIONS = [
    'train_cfg.max_iters=3',
    'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=3',
    'default_hooks.logger.interval=1',
    'val_cfg=None',
    'val_dataloader=None',
    'val_evaluator=None',
]


def tiny_config(folder: Path) -> Path:
    path = folder / 'ivf_no_augmentation.py'
    path.write_text(
        f'_base_ = [{str(BASE)!r}]\n'
        'train_dataloader = dict(dataset=dict(tasks=["ivf"], embedded=dict(size=64), '
        'pipeline=_base_.test_pipeline))\n'
    )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd: list) -> subprocess.CompletedProcess:
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return proc


def max_difference(a: Path, b: Path) -> float:
    sa, sb = (load_checkpoint_file(p)['state_dict'] for p in (a, b))
    assert sa.keys() == sb.keys()
    return max((sa[k].double() - sb[k].double()).abs().max().item() for k in sa)


@pytest.mark.slow
def test_two_processes_with_batch_1_match_one_with_batch_2(tmp_path):
    config = tiny_config(tmp_path)
    one = tmp_path / 'one'
    train = [sys.executable, 'tools/train.py', str(config)]
    run(
        [*train, '--work-dir', str(one), '--cfg-options', *OPTIONS, 'train_dataloader.batch_size=2']
    )
    two = tmp_path / 'two'
    torchrun = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2']
    torchrun += ['--master_addr', '127.0.0.1', '--master_port', str(free_port())]
    proc = run(
        [*torchrun, 'tools/train.py', str(config), '--launcher', 'pytorch', '--work-dir', str(two)]
        + ['--cfg-options', *OPTIONS, 'train_dataloader.batch_size=1']
    )
    assert 'Distributed training: True' in proc.stdout + proc.stderr
    difference = max_difference(one / 'iter_3.pth', two / 'iter_3.pth')
    moved = min(max_difference(d / 'iter_3.pth', d / 'iter_1.pth') for d in (one, two))
    print(
        f'2 x batch 1 vs 1 x batch 2: largest parameter difference {difference:.3g}; '
        f'two steps moved a parameter by {moved:.3g}'
    )
    assert difference <= TOLERANCE
    assert moved > 10 * TOLERANCE  # the comparison has teeth
