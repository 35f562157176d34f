"""Shared fixtures: the repository root, the shared data folder, a private cache folder, a tiny
model trained for two iterations by ``tools/train.py``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data_guard import pytest_runtest_makereport  # noqa: F401  (a shared-data skip fails)

REPO = Path(__file__).resolve().parents[1]
#: The smallest all-in-one config (a tiny U-Net, regression): what the inference tests run.
TINY_CONFIG = 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'
#: ``--cfg-options`` for a two-iteration ``tools/train.py`` run of :data:`TINY_CONFIG`.
TINY_TRAIN_OPTIONS = [
    'train_cfg.max_iters=2',
    'train_dataloader.batch_size=2',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1',
    'val_cfg=None',
    'val_dataloader=None',
    'val_evaluator=None',
]


def _run_tool(*args, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the repository as a user would (one thread)."""
    env = {**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'}
    proc = subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope='session')
def run_tool():
    """``run_tool(*args, check=True)``: ``python <args>`` in the repository, in a subprocess."""
    return _run_tool


@pytest.fixture(scope='session')
def tiny_checkpoint(tmp_path_factory) -> dict:
    """``{'config', 'work_dir', 'checkpoint', 'train_options'}`` of :data:`TINY_CONFIG` trained
    for two iterations by ``tools/train.py`` (a real MMEngine checkpoint, made once per
    session)."""
    return _train_two_iterations(TINY_CONFIG, tmp_path_factory.mktemp('tiny_train'))


def _train_two_iterations(config: str, work: Path) -> dict:
    _run_tool('tools/train.py', config, '--work-dir', work, '--cfg-options', *TINY_TRAIN_OPTIONS)
    checkpoint = work / 'iter_2.pth'
    assert checkpoint.is_file()
    return dict(
        config=str(REPO / config),
        work_dir=work,
        checkpoint=checkpoint,
        train_options=list(TINY_TRAIN_OPTIONS),
    )


#: The FusionFM-lite gated config (flow matching, 4 Euler steps, Haar latent): the zoo default's.
TINY_FLOW_CONFIG = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3-gated_fm-src_ivf-mif-mef-mff.py'


@pytest.fixture(scope='session')
def tiny_flow_checkpoint(tmp_path_factory) -> dict:
    """As :func:`tiny_checkpoint`, for :data:`TINY_FLOW_CONFIG` (a flow model)."""
    return _train_two_iterations(TINY_FLOW_CONFIG, tmp_path_factory.mktemp('tiny_flow_train'))


@pytest.fixture
def tiny_zoo(tiny_checkpoint, tmp_path, monkeypatch):
    """The zoo manifest replaced by one whose default entry 'tiny' is the two-iteration model
    (its config dumped, its weights as safetensors)."""
    import json

    from mmengine.config import Config

    from fusionbox.apis import zoo
    from fusionbox.utils.checkpoint import load_state_dict_file, save_model_weights

    (tmp_path / 'tiny').mkdir()
    Config.fromfile(tiny_checkpoint['config']).dump(str(tmp_path / 'tiny' / 'config.py'))
    weights = save_model_weights(
        load_state_dict_file(tiny_checkpoint['checkpoint']), tmp_path / 'tiny' / 'w.safetensors'
    )
    manifest = tmp_path / 'manifest.json'
    entry = zoo.make_entry(
        'tiny', tmp_path / 'tiny' / 'config.py', weights, manifest, tasks=['ivf', 'mef'],
        objective='regression', nfe=1, default=True,
    )  # fmt: skip
    manifest.write_text(json.dumps({'version': 1, 'models': [entry]}))
    monkeypatch.setattr(zoo, 'MANIFEST', manifest)
    return manifest


def pytest_configure(config):
    # Keep generated data out of the user's cache unless the caller chose a cache folder.
    os.environ.setdefault('FUSIONBOX_CACHE', str(REPO / 'work_dirs' / 'test-cache'))
    os.environ.setdefault('MPLBACKEND', 'Agg')
    # Tiny tensors: one intra-op thread per test process is much faster than two fighting over
    # the cores (the suite runs with pytest-xdist, one process per core).
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def register_task():
    """Register fusion-task specs for one test, as a plugin's hook would; removed afterwards.

    ``register_task('nir', init_fusion='max', ...)`` returns the spec class (source roles
    ``('a', 'b')`` unless given).
    """
    from fusionbox.registry import TASKS
    from fusionbox.tasks import FusionTask

    added = []

    def register(name: str, **spec) -> type:
        attrs = dict(name=name, title=f'{name} fusion', source_roles=('a', 'b'))
        cls = type(f'{name.upper()}Task', (FusionTask,), {**attrs, **spec})
        TASKS.register_module(name=name, module=cls)
        added.append(name)
        return cls

    yield register
    for name in added:
        TASKS.module_dict.pop(name, None)
