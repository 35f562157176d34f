"""tools/train.py and tools/test.py on bad configs and checkpoints: one line naming the key or
file and exit status 1, no traceback (real subprocesses); the misspelt-key check has no false
alarm on the shipped configs."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from fusionbox.apis.runner_setup import check_top_level_keys
from fusionbox.utils.errors import ConfigError

from .test_train_crash_resume import CONFIG, train

REPO = Path(__file__).resolve().parents[2]


def last_line(proc) -> str:
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    return proc.stderr.strip().splitlines()[-1]


def test_every_shipped_config_passes_the_misspelt_key_check():
    configs = [p for p in (REPO / 'configs').rglob('*.py') if '_base_' not in p.parts]
    configs += list((REPO / 'fusionbox' / 'zoo' / 'configs').glob('*.py'))
    assert len(configs) > 20
    for path in configs:
        check_top_level_keys(Config.fromfile(str(path)), str(path))


def test_a_key_one_letter_from_a_runner_key_is_refused():
    cfg = Config(dict(trian_cfg=dict(max_iters=2), tasks=['ivf'], crop_size=64))
    with pytest.raises(ConfigError, match=r"x.py: unknown top-level key 'trian_cfg' \(did you "):
        check_top_level_keys(cfg, 'x.py')
    check_top_level_keys(Config(dict(tasks=['ivf'], crop_size=64, train_cfg={})), 'y.py')


@pytest.mark.slow
def test_train_refuses_a_misspelt_key_and_a_syntax_error(tmp_path):
    misspelt = tmp_path / 'misspelt.py'
    misspelt.write_text(f'_base_ = [{str(CONFIG)!r}]\ntrian_cfg = dict(max_iters=2)\n')
    line = last_line(train(misspelt, tmp_path / 'w1', options=['default_hooks.logger.interval=1']))
    assert "unknown top-level key 'trian_cfg' (did you mean 'train_cfg'?)" in line
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(\n')
    line = last_line(train(broken, tmp_path / 'w2', options=['default_hooks.logger.interval=1']))
    assert (
        line.startswith('tools/train.py: error: ConfigError: config file') and 'broken.py' in line
    )


@pytest.mark.slow
def test_train_names_a_misspelt_cfg_options_key(tmp_path):
    line = last_line(train(CONFIG, tmp_path, options=['train_cfg.max_itres=1']))
    assert 'TypeError' in line and "'max_itres'" in line


@pytest.mark.slow
def test_test_tool_refuses_a_checkpoint_of_another_model(tmp_path, run_tool):
    other = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.stem.weight': torch.zeros(3, 3)}}, other)
    proc = run_tool('tools/test.py', CONFIG, other, '--work-dir', tmp_path / 'w', check=False)
    line = last_line(proc)
    assert 'CheckpointError' in line and 'other.pth does not fit AllInOneFuser' in line
