"""DegradedFusionDataset wraps any fusion dataset: degraded inputs, clean sources, target,
prompt."""

import numpy as np
import pytest
import torch

from fusionbox.registry import DATASETS
from fusionbox.utils import register_all_modules

PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PairedRandomCrop', size=48),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='PackFusionInputs'),
]


@pytest.fixture(scope='module', autouse=True)
def registered():
    register_all_modules()


def embedded(task='ivf'):
    return dict(
        type='EmbeddedFusionDataset', task=task, split='val', seed=0, size=64, pipeline=PIPELINE
    )


def test_wraps_the_embedded_benchmark(tmp_path):
    ds = DATASETS.build(
        dict(
            type='DegradedFusionDataset',
            dataset=embedded('ivf'),
            degrade=dict(type='RandomDegradeSources', seed=1),
        )
    )
    assert len(ds) == len(ds.dataset) and ds.metainfo['task'] == 'ivf'
    names = [type(t).__name__ for t in ds.pipeline.transforms]
    assert names[-2:] == ['RandomDegradeSources', 'PackDegradedFusionInputs']
    item = ds[0]
    data = item['data_samples']
    assert item['inputs'].shape == (2, 1, 48, 48)
    assert data.clean_sources.shape == (2, 1, 48, 48)
    assert data.metainfo['prompt'] and 1 <= len(data.metainfo['degradations']) <= 3
    changed = [not torch.equal(item['inputs'][i], data.clean_sources[i]) for i in range(2)]
    hit = {s for r in data.metainfo['degradations'] for s in r['sources']}
    assert changed == [n in hit for n in ('ir', 'vi')]
    again = ds[0]  # the degradation is deterministic by (seed, task, sample_idx)
    assert again['data_samples'].metainfo['prompt'] == data.metainfo['prompt']


def test_target_is_the_ground_truth_when_the_dataset_has_one():
    ds = DATASETS.build(dict(type='DegradedFusionDataset', dataset=embedded('mef')))
    data = ds[1]['data_samples']
    assert data.metainfo['target'] == 'gt' and data.gt.shape == (1, 48, 48)
    assert data.metainfo['source_names'] == ('under', 'over')


def test_target_is_the_pseudo_label_otherwise(tmp_path):
    import mmcv

    rng = np.random.default_rng(0)
    for folder in ('ir', 'vi', 'labels'):
        for stem in ('a', 'b'):
            image = rng.integers(0, 256, (40, 40, 1 if folder != 'vi' else 3), dtype=np.uint8)
            mmcv.imwrite(image, str(tmp_path / folder / f'{stem}.png'))
    inner = dict(
        type='MultiSourceFusionDataset',
        data_root=str(tmp_path),
        task='ivf',
        sources=['ir', 'vi'],
        pseudo_label_dir='labels',
    )
    pipeline = [
        dict(type='LoadMultiSourceImages'),
        dict(type='SourcesToYCbCr'),
        dict(type='PackFusionInputs'),
    ]
    ds = DATASETS.build(dict(type='DegradedFusionDataset', dataset=inner, pipeline=pipeline))
    data = ds[0]['data_samples']
    assert data.metainfo['target'] == 'pseudo_label' and 'gt' not in data
    assert data.clean_sources.shape == (2, 1, 40, 40)


def test_concatenates_with_other_tasks():
    from mmengine.dataset import ConcatDataset

    ds = ConcatDataset(
        [
            DATASETS.build(dict(type='DegradedFusionDataset', dataset=embedded(t)))
            for t in ('ivf', 'mef')
        ],
        ignore_keys=['task', 'source_names', 'layout'],
    )
    assert len(ds) == 8
    assert ds[5]['data_samples'].metainfo['task'] == 'mef'


def test_pipeline_checks():
    from fusionbox.degradations import DegradedFusionDataset

    with pytest.raises(ValueError, match='PackFusionInputs'):
        DegradedFusionDataset.insert_degradation(
            [dict(type='LoadMultiSourceImages')], dict(type='RandomDegradeSources')
        )
    own = [
        dict(type='DegradeSources', degradations=[dict(type='Rain')]),
        dict(type='PackFusionInputs', meta_keys=['stem']),
    ]
    out = DegradedFusionDataset.insert_degradation(own, dict(type='RandomDegradeSources'))
    assert [s['type'] for s in out] == ['DegradeSources', 'PackDegradedFusionInputs']
    assert out[1]['meta_keys'] == ['stem']
