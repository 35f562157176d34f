"""``_base_ = ['fusionbox::...']``: FusionBox's configs inherited from outside the repository, from
the checkout (editable install) and from a built wheel."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from fusionbox.utils import register_all_modules
from fusionbox.utils.config_scope import package_config_root, resolve_config

REPO = Path(__file__).resolve().parents[2]
BASE = 'fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py'
CHILD = f"""_base_ = ['fusionbox::{BASE}']
model = dict(backbone=dict(arch=dict(base_channels=16)))
"""
#: Loads the child config in a fresh process and prints where its base came from.
PROBE = """
import json, sys
from mmengine.config import Config
from fusionbox.utils import register_all_modules
from fusionbox.utils.config_scope import resolve_config
from fusionbox.registry import MODELS
register_all_modules()
cfg = Config.fromfile('child.py')
model = MODELS.build(cfg.model)
print(json.dumps(dict(base=resolve_config(sys.argv[1]), arch=cfg.model.backbone.arch,
                      scope=cfg.model._scope_, params=sum(p.numel() for p in model.parameters()))))
"""


def _probe(folder: Path, env=None) -> dict:
    (folder / 'child.py').write_text(CHILD)
    proc = subprocess.run(
        [sys.executable, '-c', PROBE, f'fusionbox::{BASE}'], cwd=folder, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_package_carries_the_configs():
    assert package_config_root() == REPO / 'fusionbox' / '.mim' / 'configs'
    assert (package_config_root() / BASE).is_file()
    assert resolve_config(f'fusionbox::{BASE}') == str(REPO / 'configs' / BASE)  # links resolved
    with pytest.raises(FileNotFoundError, match='fusionbox::fusionfm/nope.py: no such config'):
        resolve_config('fusionbox::fusionfm/nope.py')
    with pytest.raises(ValueError, match='not a fusionbox:: config path'):
        resolve_config('mmdet::x/y.py')


def test_a_config_outside_the_repository_inherits_by_scope(tmp_path):
    register_all_modules()
    (tmp_path / 'child.py').write_text(CHILD)
    child = Config.fromfile(str(tmp_path / 'child.py'))
    base = Config.fromfile(str(REPO / 'configs' / BASE))
    assert child.model.backbone.arch == dict(base.model.backbone.arch, base_channels=16)
    assert child.model.objective == base.model.objective
    assert child.model._scope_ == 'fusionbox'  # MMEngine marks an external base's scope
    info = _probe(tmp_path)
    assert info['base'] == str(REPO / 'configs' / BASE) and info['scope'] == 'fusionbox'
    assert info['arch']['base_channels'] == 16 and info['params'] > 0


@pytest.mark.slow
def test_a_built_wheel_ships_the_configs(tmp_path):
    src = tmp_path / 'src'  # a copy: building writes build/ and *.egg-info next to the sources
    src.mkdir()
    for name in ('setup.cfg', 'pyproject.toml', 'README.md'):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc')
    shutil.copytree(REPO / 'fusionbox', src / 'fusionbox', symlinks=True, ignore=ignore)
    shutil.copytree(REPO / 'configs', src / 'configs', ignore=ignore)
    pip = [sys.executable, '-m', 'pip', '-q']
    build = [*pip, 'wheel', '--no-deps', '--no-build-isolation', '-w', str(tmp_path), str(src)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    site = tmp_path / 'site'
    wheel = next(tmp_path.glob('fusionbox-*.whl'))
    subprocess.run([*pip, 'install', '--no-deps', '--target', str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    assert (site / 'fusionbox' / '.mim' / 'configs' / BASE).is_file()
    assert not (site / 'fusionbox' / '.mim' / 'configs').is_symlink()  # files, not a link
    work = tmp_path / 'work'
    work.mkdir()
    info = _probe(work, env={**os.environ, 'PYTHONPATH': str(site)})  # before the editable one
    assert info['base'] == str(site / 'fusionbox' / '.mim' / 'configs' / BASE)
    assert info['arch']['base_channels'] == 16
