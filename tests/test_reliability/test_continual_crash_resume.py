"""The continual task-sequence loop killed with SIGKILL in the middle of a stage (a real
``tools/train.py`` subprocess) and resumed with ``--resume`` reaches the uninterrupted run's
parameters bit for bit on the CPU."""

import json
import signal
from pathlib import Path

import pytest
import torch
from test_continual.test_task_sequence_loop import tiny_cfg

from fusionbox.utils.checkpoint import load_checkpoint_file

from .test_train_crash_resume import killing_config, train

#: No --cfg-options beyond the dumped tiny config.
NONE = ['default_hooks.logger.interval=1']


def tiny_sequence(folder: Path) -> Path:
    """The continual tests' tiny sequence (two stages, ivf then mef, of 3 iterations, EWC +
    replay, a checkpoint every 2 iterations), dumped as a config file."""
    cfg = tiny_cfg(folder / 'work', 'sequence')
    path = folder / 'sequence.py'
    cfg.dump(str(path))
    return path


@pytest.mark.slow
def test_a_sequence_killed_mid_stage_resumes_to_the_same_parameters(tmp_path):
    config = tiny_sequence(tmp_path)
    full = tmp_path / 'full'
    proc = train(config, full, options=NONE)
    assert proc.returncode == 0, proc.stderr[-3000:]

    work = tmp_path / 'work'
    killed = train(killing_config(tmp_path, config, at_iter=5, during='iter'), work, options=NONE)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert not (work / 'iter_6.pth').exists() and (work / 'iter_4.pth').is_file()
    assert load_checkpoint_file(work / 'iter_4.pth')['continual']['completed'] == 1

    resumed = train(config, work, '--resume', options=NONE)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'stage 1 (mef): skipping 1 trained batches' in resumed.stdout + resumed.stderr
    a, b = (load_checkpoint_file(d / 'iter_6.pth') for d in (full, work))
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    assert a['continual']['matrix'] == b['continual']['matrix']  # the first stage's row
    matrices = [json.loads((d / 'continual_matrix.json').read_text()) for d in (full, work)]
    assert matrices[0]['matrix'] == matrices[1]['matrix']
    assert len(matrices[0]['matrix']) == 2 and None not in matrices[0]['matrix'][1]
