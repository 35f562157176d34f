import pytest
import torch

from fusionbox.registry import LOSSES


def test_zero_when_fused_equals_the_task_target():
    loss = LOSSES.build(dict(type='IntensityLoss'))
    sources = torch.rand(4, 3, 1, 8, 8)
    task = torch.tensor([0, 1, 2, 3])  # ivf, mif: max; mef, mff: mean
    fused = torch.stack(
        [sources[0].amax(0), sources[1].amax(0), sources[2].mean(0), sources[3].mean(0)]
    )
    assert loss(fused, sources, task).item() == pytest.approx(0.0, abs=1e-7)
    assert loss(sources.mean(1), sources, task).item() > 1e-3


def test_configurable_target_norm_and_task_weights():
    sources = torch.rand(2, 2, 1, 6, 6)
    task = torch.tensor([0, 2])
    fused = sources.amin(1)
    loss = LOSSES.build(dict(type='IntensityLoss', targets=dict(ivf='min', mef='min')))
    assert loss(fused, sources, task).item() == pytest.approx(0.0, abs=1e-7)
    fused = torch.zeros(2, 1, 6, 6)
    l1 = LOSSES.build(dict(type='IntensityLoss', targets=dict(ivf='min', mef='min')))(
        fused, sources, task
    )
    l2 = LOSSES.build(dict(type='IntensityLoss', targets=dict(ivf='min', mef='min'), norm='l2'))(
        fused, sources, task
    )
    expected_l1 = sources.amin(1).mean()
    assert l1.item() == pytest.approx(expected_l1.item(), rel=1e-5)
    assert l2.item() == pytest.approx(sources.amin(1).pow(2).mean().item(), rel=1e-5)
    # weight 0 for mef, 3 for ivf: only sample 0 counts, three times
    weighted = LOSSES.build(
        dict(
            type='IntensityLoss',
            targets=dict(ivf='min', mef='min'),
            task_weights=dict(ivf=3, mef=0),
        )
    )(fused, sources, task)
    assert weighted.item() == pytest.approx(3 * sources[0].amin(0).mean().item() / 2, rel=1e-5)


def test_bad_configs():
    with pytest.raises(ValueError, match='unknown fusion task'):
        LOSSES.build(dict(type='IntensityLoss', targets=dict(rgb='max')))
    with pytest.raises(ValueError, match='unknown intensity target'):
        LOSSES.build(dict(type='IntensityLoss', targets=dict(ivf='median')))
    with pytest.raises(ValueError, match='loss_name'):
        LOSSES.build(dict(type='IntensityLoss', loss_name='intensity'))


def test_focus_select_takes_the_sharp_source_per_region():
    import torch.nn.functional as F

    from fusionbox.models.losses.intensity_loss import REDUCTIONS, focus_select

    gen = torch.Generator().manual_seed(0)
    sharp = torch.rand(1, 1, 64, 64, generator=gen)
    blur = F.avg_pool2d(F.pad(sharp, (2, 2, 2, 2), mode='replicate'), 5, stride=1)
    left = torch.zeros(1, 1, 64, 64, dtype=torch.bool)
    left[..., :32] = True
    a, b = torch.where(left, sharp, blur), torch.where(left, blur, sharp)  # complementary focus
    fused = focus_select(torch.stack([a, b], 1))
    for cols in (slice(4, 24), slice(40, 60)):  # away from the seam at 32
        assert torch.equal(fused[..., 8:-8, cols], sharp[..., 8:-8, cols])
    err = lambda x: (x - sharp).abs().mean().item()  # noqa: E731
    assert err(fused) < 0.2 * err((a + b) / 2)
    assert REDUCTIONS['focus'] is focus_select
    rgb = torch.stack([a, b], 1).expand(-1, -1, 3, -1, -1)
    assert focus_select(rgb).shape == (1, 3, 64, 64)
