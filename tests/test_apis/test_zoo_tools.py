"""tools/zoo.py add | verify | recipe on a flow model trained two iterations by tools/train.py,
in a temporary manifest: the entry, its hash, its standalone config and the fused output."""

import json
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from fusionbox.apis import FusionInferencer, build_fuser, fuse, zoo
from fusionbox.apis.zoo_recipe import training_overrides
from fusionbox.apis.zoo_tools import add_entry
from fusionbox.utils.checkpoint import load_state_dict_file
from fusionbox.utils.errors import ZooError

#: The tests train a model for two iterations in a subprocess (tools/train.py).
pytestmark = pytest.mark.slow

OTHER_MODEL = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py'


@pytest.fixture(scope='module')
def added(tiny_flow_checkpoint, run_tool, tmp_path_factory):
    """The two-iteration flow model added as 'lite-test' (the default) to a new manifest."""
    manifest = tmp_path_factory.mktemp('zoo') / 'manifest.json'
    proc = run_tool('tools/zoo.py', 'add', 'lite-test', '--config', tiny_flow_checkpoint['config'],
                    '--checkpoint', tiny_flow_checkpoint['checkpoint'], '--default',
                    '--manifest', manifest)  # fmt: skip
    assert "added zoo model 'lite-test'" in proc.stdout and 'NFE 4' in proc.stdout
    return manifest


def test_add_writes_weights_config_and_entry(added, tiny_flow_checkpoint):
    (entry,) = zoo.list_entries(added)
    assert entry.name == 'lite-test' and entry.default
    assert entry.weights == added.parent / 'weights' / 'lite-test.safetensors'
    assert entry.config == added.parent / 'configs' / 'lite-test.py'
    assert entry.sha256 == zoo.sha256_of(entry.weights)
    zoo.verify_entry(entry)
    assert entry.tasks == ['ivf', 'mif', 'mef', 'mff'] and entry.nfe == 4
    assert entry.objective == 'flow matching (source-anchored), Euler x 4'
    # the weights are the checkpoint's state dict, fp32, no pickle
    stored = load_state_dict_file(entry.weights)
    trained = load_state_dict_file(tiny_flow_checkpoint['checkpoint'])
    assert stored.keys() == trained.keys()
    assert all(torch.equal(stored[k], trained[k].float()) for k in stored)
    assert entry.params == sum(v.numel() for v in stored.values())
    assert 100_000 < entry.weights.stat().st_size < 20_000_000
    # the standalone config: model and test pipeline only, no _base_ and no data root
    text = entry.config.read_text()
    assert '_base_' not in text and 'data_root' not in text and 'shared' not in text
    assert set(Config.fromfile(str(entry.config)).keys()) == {
        'default_scope',
        'model',
        'test_pipeline',
    }


def test_zoo_model_fuses_as_the_checkpoint_does(added, tiny_flow_checkpoint, monkeypatch):
    monkeypatch.setattr(zoo, 'MANIFEST', added)
    rng = np.random.default_rng(0)
    a = rng.random((37, 45)).astype(np.float32)
    b = np.clip(a[::-1] * 0.7 + 0.2, 0, 1).astype(np.float32)
    by_name = fuse(FusionInferencer('lite-test'), [a, b], 'mef')
    by_default = fuse(FusionInferencer(), [a, b], 'mef')
    checkpoint = FusionInferencer(
        tiny_flow_checkpoint['config'], str(tiny_flow_checkpoint['checkpoint'])
    )
    expected = fuse(checkpoint, [a, b], 'mef')
    assert by_name.shape == (37, 45)
    np.testing.assert_array_equal(by_name, expected)
    np.testing.assert_array_equal(by_default, expected)
    # and the model build_fuser makes from the checkpoint holds the same weights
    model = build_fuser(tiny_flow_checkpoint['config'], tiny_flow_checkpoint['checkpoint'])
    for key, value in model.state_dict().items():
        assert torch.equal(value, FusionInferencer('lite-test').model.state_dict()[key]), key


def test_verify_and_recipe(added, run_tool):
    proc = run_tool('tools/zoo.py', 'verify', '--manifest', added)
    assert 'ok   lite-test: sha256 matches, builds and loads' in proc.stdout
    lines = run_tool('tools/zoo.py', 'recipe', 'lite-test', '--manifest', added).stdout.split('\n')
    train, add = shlex.split(lines[0]), shlex.split(lines[1])
    assert train[:4] == ['python', 'tools/train.py', shlex.split(lines[0])[2], '--work-dir']
    assert train[2].endswith('fusionfm-lite_unet-c24-haar3-gated_fm-src_ivf-mif-mef-mff.py')
    # the training run's --cfg-options are recovered from the checkpoint
    options = train[train.index('--cfg-options') + 1 :]
    assert 'train_cfg.max_iters=2' in options and 'train_dataloader.batch_size=2' in options
    assert not any(o.startswith(('work_dir', 'launcher')) for o in options)
    assert add[:4] == ['python', 'tools/zoo.py', 'add', 'lite-test']
    assert add[add.index('--checkpoint') + 1] == 'work_dirs/zoo/lite-test/iter_2.pth'
    assert '--default' in add
    assert zoo.get_entry('lite-test', added).recipe['iterations'] == 2


def test_verify_reports_a_changed_file(added, run_tool, tmp_path):
    data = json.loads(added.read_text())
    data['models'][0]['sha256'] = 'f' * 64
    broken = added.parent / 'broken.json'
    broken.write_text(json.dumps(data))
    proc = run_tool('tools/zoo.py', 'verify', '--manifest', broken, check=False)
    assert proc.returncode == 1
    assert 'FAIL lite-test: zoo model' in proc.stdout and 'the manifest says ffff' in proc.stdout
    assert 'Traceback' not in proc.stderr


def test_add_refuses_what_it_should(added, tiny_flow_checkpoint, run_tool, tmp_path):
    before = added.read_text()
    proc = run_tool('tools/zoo.py', 'add', 'lite-test', '--config', tiny_flow_checkpoint['config'],
                    '--checkpoint', tiny_flow_checkpoint['checkpoint'], '--manifest', added,
                    check=False)  # fmt: skip
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert "zoo model 'lite-test' already exists in" in proc.stderr
    assert 'pass --overwrite' in proc.stderr
    with pytest.raises(ZooError, match='trained with another model .* backbone.head'):
        add_entry('other', OTHER_MODEL, tiny_flow_checkpoint['checkpoint'], added, log=str)
    with pytest.raises(ZooError, match="zoo name 'Bad Name'"):
        add_entry('Bad Name', OTHER_MODEL, tiny_flow_checkpoint['checkpoint'], added, log=str)
    with pytest.raises(FileNotFoundError, match='checkpoint .*nope.pth does not exist'):
        add_entry('x', OTHER_MODEL, tmp_path / 'nope.pth', added, log=str)
    assert added.read_text() == before  # nothing changed


def test_overwrite_keeps_order_and_default_and_takes_metrics(
    added, tiny_flow_checkpoint, tiny_checkpoint, tmp_path
):
    manifest = tmp_path / 'manifest.json'
    manifest.write_text(added.read_text())
    (tmp_path / 'weights').mkdir()
    (tmp_path / 'configs').mkdir()
    for sub in ('weights/lite-test.safetensors', 'configs/lite-test.py'):
        (tmp_path / sub).write_bytes((added.parent / sub).read_bytes())
    add_entry('reg', tiny_checkpoint['config'], tiny_checkpoint['checkpoint'], manifest,
              tasks=['ivf', 'mif'], log=str)  # fmt: skip
    metrics = tmp_path / 'm.json'
    metrics.write_text(json.dumps({'metrics': {'mef/SSIM_ref': 0.9}, 'speed': {'ms': 98}}))
    entry = add_entry('lite-test', tiny_flow_checkpoint['config'],
                      tiny_flow_checkpoint['checkpoint'], manifest, overwrite=True,
                      metrics_file=metrics, log=str)  # fmt: skip
    entries = zoo.list_entries(manifest)
    assert [e.name for e in entries] == ['lite-test', 'reg']
    assert entries[0].default and not entries[1].default  # a replaced default stays the default
    assert entries[0].metrics == {'mef/SSIM_ref': 0.9} and entries[0].speed == {'ms': 98}
    assert entry['sha256'] == zoo.get_entry('lite-test', added).sha256  # same weights
    reg = entries[1]
    assert reg.objective == 'regression (one pass)' and reg.nfe == 1
    assert reg.tasks == ['ivf', 'mif'] and '--tasks ivf,mif' in reg.recipe['add']
    # --default moves the default
    add_entry('reg', tiny_checkpoint['config'], tiny_checkpoint['checkpoint'], manifest,
              default=True, overwrite=True, log=str)  # fmt: skip
    assert zoo.default_entry(manifest).name == 'reg'
    assert sum(e.default for e in zoo.list_entries(manifest)) == 1
    metrics.write_text('{"ivf/Qabf": "high"}')
    with pytest.raises(ValueError, match="'ivf/Qabf' is not a finite number"):
        add_entry('reg', tiny_checkpoint['config'], tiny_checkpoint['checkpoint'], manifest,
                  overwrite=True, metrics_file=metrics, log=str)  # fmt: skip


def test_training_overrides_are_the_differences():
    base = Config(dict(a=dict(b=1, c=[1, 2]), d='x', work_dir='w', e=dict(f=1)))
    trained = Config(dict(a=dict(b=2, c=[1, 2]), d='x', work_dir='elsewhere', e=None,
                          g=[dict(type='T')]))  # fmt: skip
    options, other = training_overrides(base, trained.pretty_text)
    assert options == ['a.b=2', 'e=None'] and other == ['g']


def test_recipe_of_an_intermediate_checkpoint_keeps_it():
    from fusionbox.apis.zoo_recipe import recipe_commands

    config = 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'
    cfg = Config.fromfile(config)
    trained = Config.fromfile(config)
    trained.merge_from_dict({'train_cfg.max_iters': 40, 'work_dir': 'somewhere'})
    meta = dict(iter=20, seed=3, cfg=trained.pretty_text)
    recipe = recipe_commands('x', cfg, Path(config), meta, ['--overwrite'])
    assert recipe['train'] == (
        f'python tools/train.py {config} --work-dir work_dirs/zoo/x --cfg-options '
        'train_cfg.max_iters=40 default_hooks.checkpoint.max_keep_ckpts=-1'
    )
    assert recipe['add'].endswith('--checkpoint work_dirs/zoo/x/iter_20.pth --overwrite')
    assert recipe['checkpoint'] == 'iteration 20 of a 40-iteration run' and recipe['seed'] == 3


def test_recipe_of_a_fusionfm_recipe_run_leaves_out_the_label_filled_datasets():
    from fusionbox.apis.zoo_recipe import recipe_commands

    config = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-6k_real-mix.py'
    cfg = Config.fromfile(config)
    trained = Config.fromfile(config)
    datasets = trained.train_dataloader.dataset.datasets
    datasets[-1]['pseudo_label_dir'] = 'work_dirs/pseudo_labels/mff_U2Fusion-MFF_0123456789'
    trained.train_dataloader.dataset.datasets = datasets  # what the recipe fills in
    trained.merge_from_dict({'model.objective.velocity_weight': 5.0})
    recipe = recipe_commands('x', cfg, Path(config), dict(iter=6000, cfg=trained.pretty_text), [])
    assert recipe['train'] == (
        f'python tools/fusionfm_recipe.py {config} --work-dir work_dirs/zoo/x --cfg-options '
        'model.objective.velocity_weight=5.0'
    )
    assert 'not_in_command' not in recipe  # the recipe makes the labels itself
    plain = recipe_commands('x', Config(dict(a=[dict(t=1)])), Path(config),
                            dict(cfg=Config(dict(a=[dict(t=2)])).pretty_text), [])  # fmt: skip
    assert plain['not_in_command'] == ['a'] and 'tools/train.py' in plain['train']


def test_every_shipped_entry_builds_and_loads():
    from fusionbox.apis.zoo_tools import verify_entries

    assert verify_entries(log=str) == []
