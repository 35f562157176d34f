"""tools/train.py and tools/test.py for a few iterations, in subprocesses, as a user runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = 'configs/allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py'
SMALL = [
    'train_dataloader.batch_size=2',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1',
    'model.backbone.arch=unet-t',
    'val_cfg=None',
    'val_dataloader=None',
    'val_evaluator=None',
]


def run(*args, check=True):
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, 'PYTHONWARNINGS': 'ignore'},
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@pytest.mark.slow
def test_train_resume_and_test(tmp_path):
    work = tmp_path / 'work'
    run(
        'tools/train.py',
        CONFIG,
        '--work-dir',
        str(work),
        '--iters',
        '2',
        '--cfg-options',
        *SMALL,
    )
    assert (work / 'iter_2.pth').is_file()
    dumped = (work / Path(CONFIG).name).read_text()  # the schedule scaled with the run
    assert 'max_iters=2' in dumped and 'begin=0,' in dumped and 'end=2,' in dumped
    assert not list(work.glob('.*.partial'))  # atomic save leaves no temporary file
    # resume continues from iteration 2 to 4
    proc = run(
        'tools/train.py',
        CONFIG,
        '--work-dir',
        str(work),
        '--resume',
        '--cfg-options',
        'train_cfg.max_iters=4',
        *SMALL,
    )
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    assert (work / 'iter_4.pth').is_file()

    out = tmp_path / 'results'
    proc = run(
        'tools/test.py',
        CONFIG,
        str(work / 'iter_4.pth'),
        '--work-dir',
        str(work),
        '--out-dir',
        str(out),
        '--cfg-options',
        'model.backbone.arch=unet-t',
    )
    fused = sorted((out / 'fused').rglob('*.png'))
    tasks = {p.parent.name for p in fused if p.name != 'comparison.png'}
    assert tasks == {'ivf', 'mif', 'mef', 'mff'}
    assert (out / 'fused' / 'comparison.png').is_file()
    table = json.loads(next(out.glob('*.json')).read_text())
    assert table  # per-image rows or summary written
    # a second run must not silently overwrite the results
    again = run(
        'tools/test.py',
        CONFIG,
        str(work / 'iter_4.pth'),
        '--work-dir',
        str(work),
        '--out-dir',
        str(out),
        '--cfg-options',
        'model.backbone.arch=unet-t',
        check=False,
    )
    assert again.returncode != 0 and 'not empty' in again.stderr


@pytest.mark.slow
def test_train_rejects_missing_config(tmp_path):
    proc = run('tools/train.py', 'configs/nope.py', '--work-dir', str(tmp_path), check=False)
    assert proc.returncode != 0 and 'config file not found: configs/nope.py' in proc.stderr


@pytest.mark.slow
def test_tools_end_bad_input_in_one_line(tmp_path):
    cfg = tmp_path / 'typo.py'
    cfg.write_text("_base_ = ['nowhere.py']\n")
    proc = run('tools/train.py', str(cfg), '--work-dir', str(tmp_path), check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith('tools/train.py: error: ') and 'nowhere.py' in lines[-1]
    proc = run('tools/test.py', str(cfg), 'missing.pth', '--work-dir', str(tmp_path), check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
