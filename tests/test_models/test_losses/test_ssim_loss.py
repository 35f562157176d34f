import pytest
import torch

from fusionbox.models.losses.functional import ssim
from fusionbox.registry import LOSSES


def test_zero_for_identical_images():
    x = torch.rand(2, 1, 16, 16)
    loss = LOSSES.build(dict(type='SSIMLoss'))
    sources = torch.stack([x, x, x], dim=1)
    assert loss(x, sources, torch.tensor([0, 2])).item() == pytest.approx(0.0, abs=1e-5)


def test_ssim_properties():
    torch.manual_seed(0)
    x, y = torch.rand(2, 1, 16, 16), torch.rand(2, 1, 16, 16)
    s = ssim(x, y)
    assert s.shape == (2,)
    torch.testing.assert_close(s, ssim(y, x))
    assert (s < 0.5).all()
    assert ssim(x, (x + 0.05 * y).clamp(0, 1)).min() > 0.9
    assert ssim(torch.rand(1, 1, 5, 5), torch.rand(1, 1, 5, 5)).shape == (1,)  # window shrinks


def test_source_weights():
    torch.manual_seed(0)
    a, b = torch.rand(1, 1, 16, 16), torch.rand(1, 1, 16, 16)
    sources = torch.stack([a, b], dim=1)
    task = torch.tensor([1])
    one_minus = 1 - ssim(a, b).item()
    equal = LOSSES.build(dict(type='SSIMLoss'))(a, sources, task)
    assert equal.item() == pytest.approx(0.5 * one_minus, rel=1e-4)
    explicit = LOSSES.build(dict(type='SSIMLoss', source_weights=[3, 1]))(a, sources, task)
    assert explicit.item() == pytest.approx(0.25 * one_minus, rel=1e-4)
    by_std = LOSSES.build(dict(type='SSIMLoss', source_weights='std'))
    w = by_std.weights(torch.stack([a, torch.full_like(a, 0.5)], dim=1))
    assert torch.allclose(w.sum(1), torch.ones(1)) and w[0, 0] > 0.99
    with pytest.raises(ValueError, match='2 sources'):
        LOSSES.build(dict(type='SSIMLoss', source_weights=[1, 1, 1]))(a, sources, task)
