"""MultiTaskFusionDataset: the members of the tasks chosen by ``tasks`` and ``split`` (embedded
splits, then real sets with the split's subset), overridden by dict in a child config."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from fusionbox.datasets.multi_task_dataset import as_concat, member_configs
from fusionbox.degradations import DegradedFusionDataset
from fusionbox.recipes import label_datasets
from fusionbox.registry import DATASETS
from fusionbox.utils import register_all_modules

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


@pytest.fixture(scope='module', autouse=True)
def registered():
    register_all_modules()


@pytest.fixture
def msrs(make_pairs):
    """A made-up MSRS tree of 10 pairs (stems 00..09; 04 and 09 held out)."""
    root = make_pairs(stems=tuple(f'{i:02d}' for i in range(10)), shape=(8, 8))
    return dict(type='MultiSourceFusionDataset', layout='MSRS', data_root=str(root))


def _build(tmp_path, **kwargs):
    embedded = dict(seed=0, size=32, num_samples=2, root=str(tmp_path / 'cache'))
    cfg = dict(type='MultiTaskFusionDataset', embedded=embedded, pipeline=PIPELINE)
    return DATASETS.build(dict(cfg, **kwargs))


def _rows(ds):
    return [(m.task, m.layout, m.test_mode, len(m)) for m in ds.datasets]


def test_members_follow_tasks_then_the_real_sets_with_the_split_subset(tmp_path, msrs):
    train = _build(tmp_path, tasks=['mef', 'ivf'], datasets=[msrs])
    assert _rows(train) == [
        ('mef', None, False, 2),
        ('ivf', None, False, 2),
        ('ivf', 'MSRS', False, 8),
    ]
    assert train.tasks == ('mef', 'ivf') and train.split == 'train'
    val = _build(tmp_path, tasks=['ivf'], split='val', datasets=[msrs])
    assert _rows(val) == [('ivf', None, False, 2), ('ivf', 'MSRS', True, 2)]
    assert [val.get_data_info(i)['stem'] for i in (2, 3)] == ['04', '09']
    assert [m.split for m in val.datasets[:1]] == ['val']
    # a real set of a task left out is left out; its own keys win over the split's
    only_mef = _build(tmp_path, tasks=['mef'], datasets=[dict(msrs, subset=None)])
    assert _rows(only_mef) == [('mef', None, False, 2)]
    every = _build(tmp_path, tasks=['ivf'], embedded=None, datasets=[dict(msrs, subset=None)])
    assert _rows(every) == [('ivf', 'MSRS', False, 10)]


def test_all_registered_tasks_by_default_and_as_concat_gives_the_same_samples(tmp_path):
    embedded = dict(seed=0, size=32, num_samples=2, root=str(tmp_path / 'cache'))
    cfg = dict(type='MultiTaskFusionDataset', split='test', pipeline=PIPELINE, embedded=embedded)
    ds = DATASETS.build(cfg)
    assert [m.task for m in ds.datasets] == ['ivf', 'mif', 'mef', 'mff']  # no plugin loaded
    concat = DATASETS.build(as_concat(cfg))
    assert type(concat).__name__ == 'FusionConcatDataset' and len(concat) == len(ds) == 8
    for i in range(len(ds)):
        assert torch.equal(ds[i]['inputs'], concat[i]['inputs'])
    with pytest.raises(TypeError, match="not 'FusionConcatDataset'"):
        as_concat(as_concat(cfg))


def test_a_task_of_the_embedded_members_gets_its_own_arguments():
    embedded = dict(seed=0, size=32, mif=dict(pseudo_label_dir='/labels/mif', seed=3))
    members = member_configs(tasks=['ivf', 'mif'], embedded=embedded)
    assert [(m['task'], m['seed'], m.get('pseudo_label_dir')) for m in members] == [
        ('ivf', 0, None),
        ('mif', 3, '/labels/mif'),
    ]
    assert 'mif' not in members[0] and 'mif' not in members[1]
    with pytest.raises(TypeError, match=r"embedded sets \['mif.split'\] itself"):
        member_configs(embedded=dict(mif=dict(split='val')))


def test_degrade_wraps_every_member(tmp_path, msrs):
    ds = _build(
        tmp_path, tasks=['ivf'], datasets=[msrs], degrade=dict(type='RandomDegradeSources', seed=0)
    )
    assert [type(m) for m in ds.datasets] == [DegradedFusionDataset] * 2
    assert ds.datasets[1].dataset.subset == 'train'


@pytest.mark.parametrize(
    'kwargs, error, match',
    [
        (dict(tasks=['ivf', 'pan']), ValueError, "unknown fusion task 'pan'"),
        (dict(tasks='ivf'), TypeError, 'tasks must be a list'),
        (dict(split='holdout'), ValueError, "split must be one of .* got 'holdout'"),
        (dict(embedded=dict(task='ivf')), TypeError, r"embedded sets \['task'\] itself"),
        (dict(datasets=[dict(type='MultiSourceFusionDataset', data_root='x')]), ValueError,
         r'datasets\[0\] names neither a task nor a layout'),
        (dict(datasets=['MSRS']), TypeError, r'datasets\[0\] must be a dataset config'),
        (dict(tasks=[], embedded=None), ValueError, 'no member for tasks'),
    ],
)  # fmt: skip
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        member_configs(**kwargs)


def test_a_child_config_narrows_the_base_by_dict_and_the_recipe_finds_its_real_sets():
    cfg = Config.fromfile(
        str(CONFIGS / 'fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py')
    )
    cfg.merge_from_dict({'train_dataloader.dataset.tasks': ['ivf', 'mef']})
    members = as_concat(cfg.train_dataloader.dataset)['datasets']
    assert [m.get('layout') or m['task'] for m in members] == [
        'ivf',
        'mef',
        'MSRS',
        'TNO',
        'RoadScene',
        'M3FD',
        'MEFB',
        'U2Fusion-MEF',
    ]
    assert {m['pipeline'][1]['size'] for m in members} == {128}
    # the recipe edits the real sets of the config in place; the members carry the edit
    found = label_datasets(cfg)
    assert len(found) == 11 and found[0]['layout'] == 'MSRS'
    found[0]['pseudo_label_dir'] = '/labels/msrs'
    members = as_concat(cfg.train_dataloader.dataset)['datasets']
    assert members[2]['pseudo_label_dir'] == '/labels/msrs'
    assert 'pseudo_label_dir' not in cfg.val_dataloader.dataset.datasets[0]
