import numpy as np
import pytest
import torch

from fusionbox.datasets.transforms import PackFusionInputs
from fusionbox.structures import FusionSample


def test_pack_shapes_dtypes_and_meta():
    h, w = 6, 5
    results = dict(
        sources=[np.full((h, w, 1), 0.25, np.float32)] * 3,
        gt=np.zeros((h, w, 1), np.float32),
        pseudo_label=np.ones((h, w, 1), np.float32),
        chroma=np.full((h, w, 2), 0.5, np.float32),
        mask=np.ones((h, w), np.uint8),
        task='mef',
        stem='x',
        source_names=['a', 'b', 'c'],
        source_paths=['1', '2', '3'],
        ori_shape=(10, 10),
        prompt='',
        is_color=True,
        sample_idx=4,
        flip=False,
    )
    out = PackFusionInputs()(results)
    inputs, sample = out['inputs'], out['data_samples']
    assert inputs.shape == (3, 1, h, w) and inputs.dtype == torch.float32
    assert isinstance(sample, FusionSample) and sample.task == 'mef'
    assert sample.gt.shape == (1, h, w) and sample.gt.dtype == torch.float32
    assert sample.pseudo_label.shape == (1, h, w)
    assert sample.chroma.shape == (2, h, w)
    assert sample.mask.shape == (1, h, w) and sample.mask.dtype == torch.uint8
    meta = sample.metainfo
    assert meta['source_names'] == ('a', 'b', 'c') and meta['ori_shape'] == (10, 10)
    assert meta['is_color'] is True and meta['stem'] == 'x' and meta['sample_idx'] == 4
    assert meta['prompt'] == '' and meta['flip'] is False


def test_pack_rejects_mixed_channels():
    results = dict(
        sources=[np.zeros((2, 2, 1), np.float32), np.zeros((2, 2, 3), np.float32)], task='ivf'
    )
    with pytest.raises(ValueError, match='SourcesToYCbCr'):
        PackFusionInputs()(results)
