"""Every shipped config loads, builds its model and its datasets, and runs one training step."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

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
def test_config_builds_and_trains_one_step(path):
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == 'fusionbox'
    roots = [
        d['data_root'] for d in iter_dataset_cfgs(cfg.train_dataloader.dataset) if 'data_root' in d
    ]
    absent = [r for r in roots if not Path(r).is_dir()]
    if absent:
        pytest.skip(f'real data not found: {absent[0]} (set FUSIONBOX_SHARED_DATA)')
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = [dataset[i] for i in range(2)]
    data = {
        'inputs': [b['inputs'] for b in batch],
        'data_samples': [b['data_samples'] for b in batch],
    }
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    losses = model.train_step(data, optim_wrapper=_wrap(optimizer))
    assert all(torch.isfinite(v).all() for v in losses.values())


def _wrap(optimizer):
    from mmengine.optim import OptimWrapper

    return OptimWrapper(optimizer)


def test_unknown_type_names_the_key():
    cfg = Config.fromfile(str(REPO / 'configs/allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py'))
    cfg.model.backbone = dict(type='NoSuchBackbone')
    with pytest.raises(Exception, match='NoSuchBackbone'):
        MODELS.build(cfg.model)
