"""The MMAIF real-data configs (configs/mmaif/*_real-degraded.py): they build on the degraded real
sets (VIFB never among them; targets the clean sources' pseudo-labels) and train 2 iterations
through tools/fusionfm_recipe.py on a few real pairs with pseudo-labels made here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from fusionbox.recipes import check_no_evaluation_sets, iter_dataset_cfgs, label_datasets
from fusionbox.utils.checkpoint import load_checkpoint_file
from fusionbox.utils.paths import shared_data_root

REPO = Path(__file__).resolve().parents[1]
CONFIGS = {
    'reg': REPO / 'configs/mmaif/mmaif_moe-dit-t-haar2_reg_real-degraded.py',
    'fm': REPO / 'configs/mmaif/mmaif_moe-dit-t-haar2_fm-noise_real-degraded.py',
}
SHARED = shared_data_root()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
)
#: The small run: U2Fusion's 3 real MFF pairs (all in training), degraded.
SMALL_CONFIG = """
_base_ = ['{config}']
train_dataloader = dict(
    batch_size=2,
    dataset=dict(datasets=[dict(
        type='DegradedRealFusionDataset',
        degrade=dict(type='RandomDegradeSources', seed=0),
        dataset=dict(type='MultiSourceFusionDataset', layout='U2Fusion-MFF',
                     data_root=_base_.shared_data + '/mff/U2Fusion_MFF', subset='train',
                     pipeline=_base_.train_pipeline))]))
"""
SMALL = ['train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2']


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_trains_on_degraded_real_sets_with_clean_targets(name):
    cfg = Config.fromfile(str(CONFIGS[name]))
    check_no_evaluation_sets(cfg)
    members = cfg.train_dataloader.dataset.datasets
    assert {m['type'] for m in members} == {'DegradedRealFusionDataset'}
    assert all(isinstance(m['degrade']['seed'], int) and m['require_target'] for m in members)
    layouts = [m['dataset']['layout'] for m in members]
    assert len(layouts) == 11 and 'VIFB' not in layouts
    assert [d['layout'] for d in label_datasets(cfg)] == layouts  # the recipe labels them all
    held = [m['dataset'] for m in cfg.test_dataloader.dataset.datasets]
    assert {d['subset'] for d in held} == {'holdout'} and len(held) == 9
    objective = cfg.model.objective
    assert objective.target_key == 'pseudo_label' and list(objective.losses) == []
    assert objective.type == ('Regression' if name == 'reg' else 'FlowMatching')
    assert cfg.model.text_encoder.type == 'SentenceTransformerTextEncoder'
    for ds in iter_dataset_cfgs(cfg.train_dataloader.dataset):
        assert 'VIFB' not in str(ds.get('data_root', ''))


@needs_shared
@pytest.mark.shared_data
@pytest.mark.slow
def test_configs_train_two_iterations_on_real_pairs(tmp_path):
    labels = tmp_path / 'labels'
    for name in sorted(CONFIGS):
        config = tmp_path / f'small_{name}.py'
        config.write_text(SMALL_CONFIG.format(config=CONFIGS[name]))
        work = tmp_path / f'work_{name}'
        proc = subprocess.run(
            [sys.executable, 'tools/fusionfm_recipe.py', str(config), '--work-dir', str(work),
             '--labels-dir', str(labels), '--no-progress', '--cfg-options', *SMALL],
            cwd=REPO, capture_output=True, text=True, timeout=900,
            env={**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        # made by the first run (fm), reused by the second (reg)
        todo = '0 finished, 3 to make' if name == 'fm' else '3 finished, 0 to make'
        assert f'pseudo-labels mff_U2Fusion-MFF: 3 samples, {todo}' in proc.stdout
        assert (work / 'iter_2.pth').is_file()
        dumped = Config.fromfile(str(work / config.name))
        (member,) = dumped.train_dataloader.dataset.datasets
        (folder,) = labels.iterdir()  # the labels were made once and reused by the second run
        assert member.dataset.pseudo_label_dir == str(folder / 'labels')
        state = load_checkpoint_file(work / 'iter_2.pth')
        weights = state['state_dict']
        assert tuple(weights['text_encoder.proj.weight'].shape) == (64, 384)
        assert state['meta']['iter'] == 2
        assert not any(k.startswith('text_encoder._model') for k in weights)  # frozen, unsaved
