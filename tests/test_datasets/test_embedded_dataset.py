import numpy as np
import pytest
import torch

from fusionbox.datasets import EmbeddedFusionDataset
from fusionbox.registry import DATASETS

PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PairedRandomCrop', size=32),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='PackFusionInputs'),
]


@pytest.mark.parametrize(
    'task,gt,mask',
    [('ivf', False, True), ('mif', False, False), ('mef', True, False), ('mff', True, True)],
)
def test_pipeline_end_to_end(tmp_path, task, gt, mask):
    ds = DATASETS.build(
        dict(
            type='EmbeddedFusionDataset',
            task=task,
            split='val',
            size=48,
            num_samples=2,
            root=str(tmp_path),
            pipeline=PIPELINE,
        )
    )
    assert len(ds) == 2
    out = ds[0]
    inputs, sample = out['inputs'], out['data_samples']
    assert inputs.shape == (2, 1, 32, 32) and inputs.dtype == torch.float32
    assert 0 <= inputs.min() and inputs.max() <= 1
    assert sample.task == task and sample.metainfo['ori_shape'] == (48, 48)
    assert ('gt' in sample) == gt and ('mask' in sample) == mask
    assert sample.metainfo['source_names'] == ds.source_names
    if task in ('ivf', 'mif'):  # the visible / functional source is always in colour
        assert sample.metainfo['is_color']
    if sample.metainfo['is_color']:
        assert sample.chroma.shape == (2, 32, 32)
    else:
        assert 'chroma' not in sample
    assert ds.metainfo['task'] == task


def test_cache_serves_fewer_samples(tmp_path):
    big = EmbeddedFusionDataset('mef', split='test', size=32, num_samples=3, root=tmp_path)
    small = EmbeddedFusionDataset('mef', split='test', size=32, num_samples=2, root=tmp_path)
    assert len(big) == 3 and len(small) == 2
    assert small[1]['source_paths'] == big[1]['source_paths']
    assert big[0]['gt_path'] and big[0]['mask_path'] is None
    np.testing.assert_array_equal(small.source_names, ('under', 'over'))
    with pytest.raises(TypeError, match='data_root'):
        EmbeddedFusionDataset('mef', data_root=tmp_path, root=tmp_path)


def test_pseudo_labels_are_needed_only_for_the_samples_served(tmp_path):
    """A cache made for a larger request (3 samples) serves 2 with labels for those 2 only."""
    EmbeddedFusionDataset('mef', split='test', size=32, num_samples=3, root=tmp_path)
    labels = tmp_path / 'labels'
    labels.mkdir()
    for stem in ('mef-test-00000', 'mef-test-00001'):
        (labels / f'{stem}.png').write_bytes(b'')  # listed by name, read only when loaded
    small = EmbeddedFusionDataset(
        'mef', split='test', size=32, num_samples=2, root=tmp_path, pseudo_label_dir=labels
    )
    infos = [small.get_data_info(i) for i in range(len(small))]
    assert [i['stem'] for i in infos] == ['mef-test-00000', 'mef-test-00001']
    assert infos[1]['pseudo_label_path'].endswith('mef-test-00001.png')
    with pytest.raises(FileNotFoundError, match='mef-test-00002'):
        EmbeddedFusionDataset(
            'mef', split='test', size=32, num_samples=3, root=tmp_path, pseudo_label_dir=labels
        )
