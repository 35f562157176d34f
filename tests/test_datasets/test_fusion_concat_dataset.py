"""FusionConcatDataset: the members of several tasks as one; one ``degrade`` for all of them,
set by a child config as a dict."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import ConcatDataset

from fusionbox.degradations import DegradedFusionDataset
from fusionbox.registry import DATASETS
from fusionbox.utils import register_all_modules

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
IGNORE = ['task', 'source_names', 'layout']


@pytest.fixture(scope='module', autouse=True)
def registered():
    register_all_modules()


def _members():
    return [
        dict(type='EmbeddedFusionDataset', task=t, split='val', seed=0, size=64, pipeline=PIPELINE)
        for t in ('ivf', 'mef')
    ]


def test_without_degrade_it_is_the_concatenation():
    ds = DATASETS.build(dict(type='FusionConcatDataset', datasets=_members(), ignore_keys=IGNORE))
    plain = ConcatDataset([DATASETS.build(m) for m in _members()], ignore_keys=IGNORE)
    assert isinstance(ds, ConcatDataset) and len(ds) == len(plain) == 8
    for i in (0, 5):
        assert torch.equal(ds[i]['inputs'], plain[i]['inputs'])
    assert ds[5]['data_samples'].metainfo['task'] == 'mef'


def test_degrade_wraps_every_member_the_same_way():
    degrade = dict(type='RandomDegradeSources', seed=0)
    ds = DATASETS.build(
        dict(type='FusionConcatDataset', datasets=_members(), ignore_keys=IGNORE, degrade=degrade)
    )
    assert all(isinstance(m, DegradedFusionDataset) for m in ds.datasets)
    assert [m.degrade_cfg for m in ds.datasets] == [degrade, degrade]
    one = DATASETS.build(dict(type='DegradedFusionDataset', dataset=_members()[1], degrade=degrade))
    item, alone = ds[5], one[1]  # the same mef sample, degraded the same way
    assert torch.equal(item['inputs'], alone['inputs'])
    assert item['data_samples'].metainfo['prompt'] == alone['data_samples'].metainfo['prompt']
    assert item['data_samples'].clean_sources.shape == item['inputs'].shape


def test_a_child_config_degrades_its_base_by_dict():
    cfg = Config.fromfile(str(CONFIGS / 'mmaif/mmaif_moe-dit-s_reg_ivf-mif-mef-mff.py'))
    train, test = cfg.train_dataloader.dataset, cfg.test_dataloader.dataset
    assert train.type == 'MultiTaskFusionDataset' and '_delete_' not in cfg.pretty_text
    assert train.degrade == dict(type='RandomDegradeSources', seed=None)
    assert test.degrade.seed == 0 and test.split == 'test'
    assert train.tasks == ['ivf', 'mif', 'mef', 'mff']
