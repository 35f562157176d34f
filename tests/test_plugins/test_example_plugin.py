"""The example third-party plugin: pip-installed, listed, and trained for 2 iterations."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / 'projects' / 'example_plugin'
CONFIG = PLUGIN / 'configs' / 'example_tinyconv_reg_ivf-mif-mef-mff.py'


@pytest.fixture(scope='module')
def plugin_env(tmp_path_factory):
    """pip-install the plugin into a private target folder and put it on PYTHONPATH."""
    target = tmp_path_factory.mktemp('site')
    subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'install',
            '-q',
            '--no-deps',
            '--no-build-isolation',
            '--target',
            str(target),
            str(PLUGIN),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(target), env.get('PYTHONPATH', '')])
    return env


def run(env, *args):
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_example_plugin_registers_through_its_entry_point(plugin_env):
    proc = run(plugin_env, '-m', 'fusionbox.cli.main', 'list', '--json')
    assert proc.returncode == 0, proc.stderr
    contents = json.loads(proc.stdout)
    assert 'TinyConvFuser' in contents['backbones']
    assert 'SaltPepperNoise' in contents['degradations']
    blocked = dict(plugin_env, FUSIONBOX_BLOCK_PLUGINS='example')
    contents = json.loads(run(blocked, '-m', 'fusionbox.cli.main', 'list', '--json').stdout)
    assert 'TinyConvFuser' not in contents['backbones']


@pytest.mark.slow
def test_example_plugin_trains_for_two_iterations(plugin_env, tmp_path):
    proc = run(
        plugin_env,
        'tools/train.py',
        str(CONFIG),
        '--work-dir',
        str(tmp_path),
        '--example-note',
        'hello',
        '--cfg-options',
        'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2',
        'train_cfg.val_interval=100',
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / 'iter_2.pth').is_file()
    dumped = (tmp_path / CONFIG.name).read_text()
    assert "example_note = 'hello'" in dumped and "type='TinyConvFuser'" in dumped
