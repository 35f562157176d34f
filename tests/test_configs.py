"""Every shipped config loads, builds its model and its datasets, and trains two iterations with
its own optimizer."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from fusionbox.recipes import iter_dataset_cfgs
from fusionbox.registry import DATASETS, MODELS
from fusionbox.utils import register_all_modules

REPO = Path(__file__).resolve().parents[1]
# configs/downstream are mmdet / mmseg configs (their own scope): tests/test_downstream builds them
CONFIGS = sorted(
    p for p in (REPO / 'configs').rglob('*.py') if not {'_base_', 'downstream'} & set(p.parts)
)


@pytest.fixture(scope='module', autouse=True)
def _registered():
    register_all_modules()


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: str(p.relative_to(REPO / 'configs')))
def test_config_builds_and_trains_two_iterations(path):
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == 'fusionbox'
    roots = [
        d['data_root'] for d in iter_dataset_cfgs(cfg.train_dataloader.dataset) if 'data_root' in d
    ]
    absent = [r for r in roots if not Path(r).is_dir()]
    if absent:
        pytest.skip(f'real data not found: {absent[0]} (set FUSIONBOX_SHARED_DATA)')
    if any(
        d.get('type') == 'DegradedRealFusionDataset'
        and d.get('require_target', True)
        and not d['dataset'].get('pseudo_label_dir')
        for d in iter_dataset_cfgs(cfg.train_dataloader.dataset)
    ):
        pytest.skip('trains on recipe pseudo-labels: see tests/test_configs_mmaif_real_data.py')
    model = MODELS.build(cfg.model)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)  # the config's optimizer
    before = [p.detach().clone() for p in model.parameters() if p.requires_grad]
    assert before
    for it in range(2):  # two iterations of a batch of 2
        batch = [dataset[i] for i in (2 * it, 2 * it + 1)]
        data = {
            'inputs': [b['inputs'] for b in batch],
            'data_samples': [b['data_samples'] for b in batch],
        }
        losses = model.train_step(data, optim_wrapper=optim_wrapper)
        assert losses and all(torch.isfinite(v).all() for v in losses.values())
    after = [p for p in model.parameters() if p.requires_grad]
    assert any(not torch.equal(a, b) for a, b in zip(after, before))  # the weights moved


def test_unknown_type_names_the_key():
    cfg = Config.fromfile(str(REPO / 'configs/allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py'))
    cfg.model.backbone = dict(type='NoSuchBackbone')
    with pytest.raises(Exception, match='NoSuchBackbone'):
        MODELS.build(cfg.model)
