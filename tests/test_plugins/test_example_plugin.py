"""The example third-party plugin: pip-installed, listed, and trained for 2 iterations."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / 'projects' / 'example_plugin'
CONFIG = PLUGIN / 'configs' / 'example_tinyconv_reg_ivf-mif-mef-mff-nir.py'


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
    assert contents['tasks'] == ['ivf', 'mef', 'mff', 'mif', 'nir']
    assert 'NIRDetailTransfer' in contents['priors']
    blocked = dict(plugin_env, FUSIONBOX_BLOCK_PLUGINS='example')
    contents = json.loads(run(blocked, '-m', 'fusionbox.cli.main', 'list', '--json').stdout)
    assert 'TinyConvFuser' not in contents['backbones']
    assert contents['tasks'] == ['ivf', 'mef', 'mff', 'mif']


@pytest.mark.slow
def test_example_plugin_trains_an_all_in_one_model_on_five_tasks(plugin_env, tmp_path):
    work = tmp_path / 'work'
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / 'tools/train.py'),
            str(CONFIG),
            '--work-dir',
            str(work),
            '--example-note',
            'hello',
            '--iters',
            '2',
            '--cfg-options',
            'train_cfg.val_interval=100',
        ],
        cwd=tmp_path,
        env=plugin_env,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip  (run from outside the repository: the config's base is fusionbox::...)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumped = (work / CONFIG.name).read_text()
    assert "example_note = 'hello'" in dumped and "type='TinyConvFuser'" in dumped
    assert Config.fromfile(str(work / CONFIG.name)).train_dataloader.dataset.tasks[-1] == 'nir'
    probe = (
        'import json, sys, torch; from fusionbox.models.fusers.all_in_one_fuser import '
        "_decode_tasks; s = torch.load(sys.argv[1], weights_only=False)['state_dict']; "
        "print(json.dumps([list(_decode_tasks(s['_extra_state'])), "
        "s['backbone.task_embed.weight'].shape[0]]))"
    )
    out = run(plugin_env, '-c', probe, str(work / 'iter_2.pth'))
    assert out.returncode == 0, out.stderr[-3000:]
    tasks, rows = json.loads(out.stdout.strip().splitlines()[-1])
    assert tasks == ['ivf', 'mif', 'mef', 'mff', 'nir'] and rows == 5
    log = (proc.stdout + proc.stderr).lower()
    assert 'iter(train) [2/2]' in log


def test_the_example_backbone_declares_and_refuses(monkeypatch):
    """Imported from the source folder (no registration): the contract, and the refusals."""
    import torch

    from fusionbox.models.backbones import contract
    from fusionbox.registry import MODELS
    from fusionbox.utils import register_all_modules

    register_all_modules()  # before the folder is on the path: its entry point stays unloaded
    monkeypatch.syspath_prepend(str(PLUGIN))
    from fusionbox_example_plugin.tiny_conv import TinyConvFuser

    net = TinyConvFuser(width=4)
    assert contract(net) == dict(
        in_channels=1, out_channels=1, state_channels=0, accepts_time=False, prompt_dim=None,
        size_divisor=1,
    )  # fmt: skip
    with pytest.raises(ValueError, match='TinyConvFuser got a time t'):
        net(torch.rand(1, 2, 1, 8, 8), torch.tensor([0]), t=torch.tensor([0.5]))
    with pytest.raises(ValueError, match='TinyConvFuser has state_channels=0, with_time=False'):
        MODELS.build(
            dict(
                type='AllInOneFuser', backbone=TinyConvFuser(), objective=dict(type='FlowMatching')
            )
        )
    with pytest.raises(ValueError, match='TinyConvFuser takes no prompt'):
        TinyConvFuser(prompt_dim=8)
