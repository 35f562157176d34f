import pytest
import torch

from fusionbox.models.losses.functional import sobel_magnitude
from fusionbox.registry import LOSSES


def test_zero_for_fused_equal_to_a_when_b_is_constant():
    loss = LOSSES.build(dict(type='GradientLoss'))
    a = torch.rand(2, 1, 10, 10)
    b = torch.full_like(a, 0.3)
    sources = torch.stack([a, b], dim=1)  # (B, 2, C, H, W)
    task = torch.tensor([0, 3])
    assert loss(a, sources, task).item() == pytest.approx(0.0, abs=1e-7)
    assert loss(b, sources, task).item() > 0.1  # a flat image misses every edge


def test_sobel_magnitude_of_a_ramp():
    ramp = torch.arange(6.0).repeat(6, 1)[None, None]  # slope 1 along x
    g = sobel_magnitude(ramp)
    assert g.shape == ramp.shape
    assert torch.allclose(g[..., 1:-1, 1:-1], torch.full((4, 4), 8.0))  # Sobel gain 8, no y part
