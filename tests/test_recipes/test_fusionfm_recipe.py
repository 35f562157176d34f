"""tools/fusionfm_recipe.py: pseudo-labels of the real training sets (cached by dataset and
settings), the datasets pointed at them, then training; run in subprocesses as a user runs it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from fusionbox.datasets.multi_task_dataset import as_concat
from fusionbox.recipes import fusionfm as recipe
from fusionbox.utils.paths import shared_data_root

REPO = Path(__file__).resolve().parents[2]
REAL_MIX = REPO / 'configs/fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py'
SHARED = shared_data_root()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
)
#: The small run: the embedded MFF train split and U2Fusion's 3 real MFF pairs (all train).
SMALL_CONFIG = f"""
_base_ = ['{REAL_MIX}']
train_dataloader = dict(
    batch_size=2,
    dataset=dict(tasks=['mff'], datasets=[
        dict(type='MultiSourceFusionDataset', layout='U2Fusion-MFF',
             data_root=_base_.shared_data + '/mff/U2Fusion_MFF'),
    ]))
"""
SMALL = [
    'train_cfg.max_iters=2',
    'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1',
    'val_cfg=None',
    'val_dataloader=None',
    'val_evaluator=None',
]


def run(*args, check=True):
    proc = subprocess.run(
        [sys.executable, 'tools/fusionfm_recipe.py', *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'},
        timeout=900,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


@needs_shared
@pytest.mark.shared_data
@pytest.mark.slow
def test_recipe_labels_real_pairs_then_trains(tmp_path):
    config = tmp_path / 'small_real.py'
    config.write_text(SMALL_CONFIG)
    labels, work = tmp_path / 'labels', tmp_path / 'work'
    common = ['--labels-dir', str(labels), '--no-progress']
    proc = run(str(config), '--work-dir', str(work), *common, '--cfg-options', *SMALL)
    out = proc.stdout + proc.stderr
    assert 'pseudo-labels mff_U2Fusion-MFF: 3 samples, 0 finished, 3 to make' in out
    # the report of the made labels: the picks of the 3 samples, and how many refinement improved
    picks = re.search(r'picks: (.*); refinement improved (\d)/3', out)
    assert sum(int(n) for n in re.findall(r' (\d+)', ' ' + picks.group(1))) == 3
    (folder,) = labels.iterdir()
    assert folder.name.startswith('mff_U2Fusion-MFF_')
    assert sorted(p.name for p in (folder / 'labels').iterdir()) == ['1.png', '2.png', '3.png']
    records = [json.loads(p.read_text()) for p in sorted((folder / 'provenance').iterdir())]
    assert [r['stem'] for r in records] == ['1', '2', '3']
    assert all(r['task'] == 'mff' and r['pick'] in r['candidates'] for r in records)
    settings = json.loads((folder / 'settings.json').read_text())
    assert settings['settings']['task'] == 'mff' and settings['data']['layout'] == 'U2Fusion-MFF'
    # trained two iterations, on datasets pointed at the labels (the dumped config says so)
    assert (work / 'iter_2.pth').is_file()
    dumped = Config.fromfile(str(work / 'small_real.py'))
    (real,) = dumped.train_dataloader.dataset.datasets
    assert real.pseudo_label_dir == str(folder / 'labels')
    embedded, member = as_concat(dumped.train_dataloader.dataset)['datasets']
    assert member['pseudo_label_dir'] == real.pseudo_label_dir
    assert 'pseudo_label_dir' not in embedded and embedded['task'] == 'mff'  # embedded: gt

    # finished labels are reused; changed settings make new ones in a new folder
    mtimes = {p: p.stat().st_mtime_ns for p in (folder / 'labels').iterdir()}
    again = run(str(config), *common, '--only-labels')
    assert '3 samples, 3 finished, 0 to make' in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (folder / 'labels').iterdir()} == mtimes
    changed = run(
        str(config), *common, '--only-labels', '--cfg-options', 'pseudo_labels.mff.refiner=False'
    )
    assert '3 samples, 0 finished, 3 to make' in changed.stdout
    folders = sorted(labels.iterdir())
    assert len(folders) == 2
    (new,) = [f for f in folders if f != folder]
    assert len(list((new / 'labels').iterdir())) == 3
    refinement = json.loads((new / 'provenance' / '1.json').read_text())['refinement']
    assert refinement.get('disabled') is True

    # a label gone missing is an error naming the file when labels are not made (distributed)
    (folder / 'labels' / '2.png').unlink()
    proc = run(str(config), *common, '--only-labels', '--launcher', 'pytorch', check=False)
    assert proc.returncode == 1
    assert f'pseudo-label {folder / "labels" / "2.png"}' in proc.stderr


def test_recipe_refuses_vifb_in_training(tmp_path):
    config = tmp_path / 'vifb.py'
    config.write_text(
        f"_base_ = ['{REAL_MIX}']\n"
        "train_dataloader = dict(dataset=dict(datasets=[dict(type='MultiSourceFusionDataset', "
        "layout='VIFB', data_root='/data/ivf/VIFB')]))\n"
    )
    proc = run(str(config), '--only-labels', check=False)
    assert proc.returncode == 1
    assert 'VIFB is an evaluation set' in proc.stderr
    assert 'train_dataloader.dataset.datasets.0.layout' in proc.stderr


def test_label_settings_and_cache_key(tmp_path):
    cfg = Config.fromfile(str(REAL_MIX))
    settings = recipe.label_settings(cfg, 'mef')
    assert settings == dict(task='mef', priors=None, results=None, selector=None, refiner=None)
    data = dict(data_root=str(tmp_path), layout='MEFB')
    key = recipe.labels_folder(tmp_path / 'L', data, settings)
    assert key.parent == (tmp_path / 'L').resolve() and key.name.startswith('mef_MEFB_')
    assert recipe.labels_folder(tmp_path / 'L', data, settings) == key  # deterministic
    other = dict(settings, priors=['Average', 'GFF'])
    assert recipe.labels_folder(tmp_path / 'L', data, other) != key
    moved = dict(data, data_root=str(tmp_path / 'elsewhere'))
    assert recipe.labels_folder(tmp_path / 'L', moved, settings) != key
    cfg.pseudo_labels = dict(mef=dict(prior=['Average']))
    with pytest.raises(KeyError, match="unknown key.*'prior'"):
        recipe.label_settings(cfg, 'mef')


def test_label_datasets_are_the_real_training_sets():
    cfg = Config.fromfile(str(REAL_MIX))
    found = recipe.label_datasets(cfg)
    assert [d['layout'] for d in found][:4] == ['MSRS', 'TNO', 'RoadScene', 'M3FD']
    assert len(found) == 11 and all(d['holdout_every'] == 5 for d in found)
    members = as_concat(cfg.train_dataloader.dataset)['datasets'][4:]  # after the embedded ones
    assert [m['layout'] for m in members] == [d['layout'] for d in found]
    assert {m['subset'] for m in members} == {'train'}  # the training split's subset
    found[0]['pseudo_label_dir'] = '/somewhere'  # already labelled: left alone
    assert len(recipe.label_datasets(cfg)) == 10


def test_missing_label_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'labels/b\.png of sample .b. \(MSRS\)'):
        recipe.check_labels([dict(stem='b')], tmp_path, 'MSRS')


def test_the_model_must_read_pseudo_labels():
    cfg = Config.fromfile(str(REPO / 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'))
    with pytest.raises(ValueError, match='trains on pseudo-labels'):
        recipe.check_target(cfg)
    recipe.check_target(Config.fromfile(str(REAL_MIX)))
