import pytest
import torch
import torch.nn.functional as F

from fusionbox.models import FusionDataPreprocessor
from fusionbox.structures import FusionSample


def _sample(task, h=5, w=7, gt=False, pseudo=False):
    sample = FusionSample(metainfo=dict(task=task, stem=f'{task}-x'))
    if gt:
        sample.gt = torch.rand(1, h, w)
    if pseudo:
        sample.pseudo_label = torch.rand(1, h, w)
    return sample


def test_stack_pad_and_task_ids():
    torch.manual_seed(0)
    inputs = [torch.rand(3, 1, 5, 7), torch.rand(3, 1, 5, 7)]
    samples = [_sample('mef', gt=True), _sample('ivf')]
    out = FusionDataPreprocessor(size_divisor=4)(dict(inputs=inputs, data_samples=samples))
    batch = out['inputs']
    assert batch['sources'].shape == (2, 3, 1, 8, 8)  # (B, N, C, Hp, Wp)
    assert batch['task'].tolist() == [2, 0]
    assert batch['img_shape'] == (5, 7)
    # the original pixels are untouched and the pad is a reflection
    assert torch.equal(batch['sources'][0, :, :, :5, :7], inputs[0])
    expected = F.pad(inputs[1], (0, 1, 0, 3), mode='reflect')
    assert torch.equal(batch['sources'][1], expected)
    # targets: stacked where present, zero elsewhere, with a validity flag
    assert batch['gt'].shape == (2, 1, 8, 8)
    assert batch['gt_valid'].tolist() == [True, False]
    assert torch.equal(batch['gt'][0, :, :5, :7], samples[0].gt)
    assert batch['gt'][1].abs().sum() == 0
    assert batch['pseudo_label'] is None and batch['pseudo_label_valid'] is None
    assert out['data_samples'][0].metainfo['pad_shape'] == (8, 8)
    assert out['data_samples'][0].metainfo['img_shape'] == (5, 7)


def test_no_padding_when_divisible_and_tensor_input():
    inputs = torch.rand(2, 2, 1, 8, 8)
    samples = [_sample('mff', 8, 8, pseudo=True), _sample('mif', 8, 8, pseudo=True)]
    batch = FusionDataPreprocessor(size_divisor=4)(dict(inputs=inputs, data_samples=samples))
    batch = batch['inputs']
    assert torch.equal(batch['sources'], inputs)
    assert batch['pseudo_label_valid'].tolist() == [True, True]


def test_tiny_image_falls_back_to_replicate():
    inputs = [torch.rand(2, 1, 2, 2)]
    batch = FusionDataPreprocessor(size_divisor=8)(
        dict(inputs=inputs, data_samples=[_sample('ivf')])
    )
    assert batch['inputs']['sources'].shape == (1, 2, 1, 8, 8)


@pytest.mark.parametrize(
    'inputs',
    [
        [torch.rand(2, 1, 5, 7), torch.rand(3, 1, 5, 7)],
        [torch.rand(2, 1, 5, 7), torch.rand(2, 1, 6, 7)],
    ],
)
def test_mismatched_batch_is_a_clear_error(inputs):
    samples = [_sample('ivf'), _sample('ivf')]
    with pytest.raises(ValueError, match='same number of sources and the same size'):
        FusionDataPreprocessor()(dict(inputs=inputs, data_samples=samples))


def test_bad_task_and_bad_target_shape():
    with pytest.raises(ValueError, match='unknown fusion task'):
        FusionDataPreprocessor()(
            dict(inputs=[torch.rand(2, 1, 4, 4)], data_samples=[_sample('rgb')])
        )
    bad = _sample('mff', 4, 4)
    bad.gt = torch.rand(3, 4, 4)
    with pytest.raises(ValueError, match='gt of sample'):
        FusionDataPreprocessor()(dict(inputs=[torch.rand(2, 1, 4, 4)], data_samples=[bad]))
    with pytest.raises(ValueError, match='data_samples'):
        FusionDataPreprocessor()(dict(inputs=[torch.rand(2, 1, 4, 4)]))
