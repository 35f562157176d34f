import pytest
import torch

from fusionbox.registry import LOSSES


def test_only_samples_with_a_target_count():
    loss = LOSSES.build(dict(type='SupervisedLoss', ssim_weight=0.5))
    fused, target = torch.rand(3, 1, 12, 12), torch.rand(3, 1, 12, 12)
    valid = torch.tensor([True, False, True])
    value = loss(fused, target, valid)
    expected = loss(fused[[0, 2]], target[[0, 2]])
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)
    other = target.clone()
    other[1] = 1 - other[1]  # the sample without a target cannot change the loss
    assert loss(fused, other, valid).item() == pytest.approx(value.item(), rel=1e-6)


def test_l1_value_and_empty_batch():
    loss = LOSSES.build(dict(type='SupervisedLoss', loss_weight=2.0))
    fused = torch.zeros(2, 1, 4, 4, requires_grad=True)
    target = torch.full((2, 1, 4, 4), 0.25)
    assert loss(fused, target).item() == pytest.approx(0.5)
    none = loss(fused, target, torch.tensor([False, False]))
    assert none.item() == 0.0 and none.requires_grad
    assert LOSSES.build(dict(type='SupervisedLoss'))(target, target).item() == 0.0
