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
