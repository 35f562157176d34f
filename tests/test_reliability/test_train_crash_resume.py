"""Training killed with SIGKILL (a real subprocess) and resumed with ``--resume`` reaches the
uninterrupted run's parameters and optimiser state bit for bit on the CPU; checkpoint rotation
with ``max_keep_ckpts=1`` killed during a save still leaves a checkpoint; an empty or stale
``last_checkpoint`` falls back to the newest complete checkpoint; the same config and seed give
bit-identical checkpoints."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from fusionbox.utils.checkpoint import find_resumable_checkpoint, load_checkpoint_file

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CONFIG = REPO / 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'
#: Four iterations, a checkpoint after each, only the newest kept.
OPTIONS = [
    'train_cfg.max_iters=4',
    'train_dataloader.batch_size=2',
    'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=1',
    'default_hooks.logger.interval=1',
    'val_cfg=None',
    'val_dataloader=None',
    'val_evaluator=None',
]


def killing_config(folder: Path, base: Path, at_iter: int, during: str) -> Path:
    """A config that is ``base`` plus :class:`sigkill_hook.SigkillHook`."""
    path = folder / f'kill_{during}_{at_iter}.py'
    path.write_text(
        f'_base_ = [{str(base)!r}]\n'
        "custom_imports = dict(imports=['sigkill_hook'], allow_failed_imports=False)\n"
        f'custom_hooks = [dict(type={"SigkillHook"!r}, at_iter={at_iter}, during={during!r})]\n'
    )
    return path


def train(config, work: Path, *args, options=OPTIONS) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        'PYTHONWARNINGS': 'ignore',
        'OMP_NUM_THREADS': '1',
        'PYTHONPATH': os.pathsep.join([str(HERE), os.environ.get('PYTHONPATH', '')]),
    }
    cmd = [sys.executable, 'tools/train.py', str(config), '--work-dir', str(work), *args]
    return subprocess.run(
        [*cmd, '--cfg-options', *options],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_same_training_state(a: Path, b: Path) -> None:
    """Weights and optimiser state of two checkpoints are bit-identical."""
    ca, cb = load_checkpoint_file(a), load_checkpoint_file(b)
    assert ca['meta']['iter'] == cb['meta']['iter']
    assert ca['state_dict'].keys() == cb['state_dict'].keys()
    for key, value in ca['state_dict'].items():
        assert torch.equal(value, cb['state_dict'][key]), key
    sa, sb = ca['optimizer']['state'], cb['optimizer']['state']
    assert sa.keys() == sb.keys()
    for index in sa:
        for name, value in sa[index].items():
            other = sb[index][name]
            assert torch.equal(value, other) if torch.is_tensor(value) else value == other


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory) -> Path:
    """``iter_4.pth`` of the uninterrupted run."""
    work = tmp_path_factory.mktemp('uninterrupted')
    proc = train(CONFIG, work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_4.pth']  # rotation kept one
    return work / 'iter_4.pth'


@pytest.mark.slow
def test_the_same_config_and_seed_give_bit_identical_checkpoints_and_metrics(
    uninterrupted, tmp_path, run_tool
):
    proc = train(CONFIG, tmp_path / 'again')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same_training_state(uninterrupted, tmp_path / 'again' / 'iter_4.pth')
    tables = []
    for name, checkpoint in (
        ('first', uninterrupted),
        ('again', tmp_path / 'again' / 'iter_4.pth'),
    ):
        out = tmp_path / f'test_{name}'
        run_tool('tools/test.py', CONFIG, checkpoint, '--work-dir', out, '--out-dir', out / 'r')
        tables.append(json.loads((out / 'r' / 'metrics.json').read_text()))
    assert tables[0] == tables[1]  # every metric of every test image, bit for bit
    assert len(tables[0]['rows']) == 32 and len(tables[0]['means']) > 10  # 8 images x 4 tasks


@pytest.mark.slow
def test_killed_during_a_rotating_save_leaves_a_checkpoint_and_resumes_exactly(
    uninterrupted, tmp_path
):
    work = tmp_path / 'work'
    config = killing_config(tmp_path, CONFIG, at_iter=3, during='save')
    killed = train(config, work)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    # MMEngine's rotation deleted iter_2.pth before writing iter_3.pth: nothing was left
    assert (work / 'iter_2.pth').is_file()
    assert not (work / 'iter_3.pth').exists()
    assert find_resumable_checkpoint(work) == work / 'iter_2.pth'

    resumed = train(CONFIG, work, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f'Load checkpoint from {work / "iter_2.pth"}' in resumed.stdout + resumed.stderr
    assert_same_training_state(uninterrupted, work / 'iter_4.pth')
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_4.pth']
    assert not list(work.glob('.*partial'))


@pytest.mark.slow
def test_killed_between_iterations_resumes_exactly_and_an_empty_pointer_falls_back(
    uninterrupted, tmp_path
):
    work = tmp_path / 'work'
    killed = train(killing_config(tmp_path, CONFIG, at_iter=3, during='iter'), work)
    assert killed.returncode == -signal.SIGKILL
    assert sorted(p.name for p in work.glob('*.pth')) == ['iter_2.pth']
    (work / 'last_checkpoint').write_text('')  # as a kill while MMEngine wrote it left it
    resumed = train(CONFIG, work, '--resume')
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_same_training_state(uninterrupted, work / 'iter_4.pth')


def test_find_resumable_checkpoint_prefers_the_pointer_then_the_newest_complete_file(tmp_path):
    assert find_resumable_checkpoint(tmp_path) is None
    assert find_resumable_checkpoint(tmp_path / 'absent') is None
    for name in ('iter_2.pth', 'iter_10.pth', '.iter_12.pth.partial', 'epoch_30.pth', 'x.pth'):
        (tmp_path / name).write_bytes(b'x')
    assert find_resumable_checkpoint(tmp_path) == tmp_path / 'iter_10.pth'
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_resumable_checkpoint(tmp_path) == tmp_path / 'iter_2.pth'
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_99.pth'))  # deleted since
    assert find_resumable_checkpoint(tmp_path) == tmp_path / 'iter_10.pth'
    (tmp_path / 'last_checkpoint').write_text('  \n')
    assert find_resumable_checkpoint(tmp_path) == tmp_path / 'iter_10.pth'


@pytest.mark.slow
def test_resume_with_nothing_left_says_so_in_one_line(tmp_path):
    tmp_path.joinpath('last_checkpoint').write_text(str(tmp_path / 'iter_3.pth'))
    proc = train(CONFIG, tmp_path, '--resume')
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('tools/train.py: error: CheckpointError: cannot resume:')
    assert 'names a checkpoint that is gone' in last and 'Traceback' not in proc.stderr
