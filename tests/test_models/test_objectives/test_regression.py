import pytest
import torch

from fusionbox.models import UNet
from fusionbox.registry import OBJECTIVES


def _batch(b=3, n=2, size=8):
    torch.manual_seed(0)
    return torch.rand(b, n, 1, size, size), torch.tensor([0, 2, 3])[:b]


def test_loss_terms_and_predict():
    objective = OBJECTIVES.build(dict(type='Regression'))
    net = UNet('unet-t')
    sources, task = _batch()
    target = torch.rand(3, 1, 8, 8)
    losses = objective.loss(net, sources, task, target, torch.tensor([False, False, True]))
    assert set(losses) == {'loss_intensity', 'loss_gradient', 'loss_ssim', 'loss_supervised'}
    assert all(v.dim() == 0 and v.item() >= 0 for v in losses.values())
    no_target = objective.loss(net, sources, task)
    assert no_target['loss_supervised'].item() == 0.0
    fused, nfe = objective.predict(net, sources, task)
    assert nfe == 1
    torch.testing.assert_close(fused, sources.mean(1))  # the untrained U-Net returns the mean


def test_supervised_term_counts_only_samples_with_a_target():
    objective = OBJECTIVES.build(dict(type='Regression', losses=[]))
    net = UNet('unet-t')
    sources, task = _batch()
    target = torch.rand(3, 1, 8, 8)
    valid = torch.tensor([True, False, False])
    value = objective.loss(net, sources, task, target, valid)['loss_supervised']
    expected = (sources[0].mean(0) - target[0]).abs().mean()
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)


def test_custom_losses_and_target_key():
    objective = OBJECTIVES.build(
        dict(
            type='Regression',
            losses=[dict(type='GradientLoss', task_weights=dict(mff=0.0))],
            supervised=dict(type='SupervisedLoss', ssim_weight=1.0, loss_name='loss_pseudo'),
            target_key='pseudo_label',
        )
    )
    assert objective.target_key == 'pseudo_label'
    sources, task = _batch()
    losses = objective.loss(UNet('unet-t'), sources, task, torch.rand(3, 1, 8, 8))
    assert set(losses) == {'loss_gradient', 'loss_pseudo'}


def test_config_errors_name_the_sub_config():
    with pytest.raises(KeyError, match=r'losses\[1\].*NoSuchLoss'):
        OBJECTIVES.build(
            dict(type='Regression', losses=[dict(type='GradientLoss'), dict(type='NoSuchLoss')])
        )
    with pytest.raises(KeyError, match='supervised.*Nope'):
        OBJECTIVES.build(dict(type='Regression', supervised=dict(type='Nope')))
    with pytest.raises(ValueError, match='target_key'):
        OBJECTIVES.build(dict(type='Regression', target_key='label'))
    with pytest.raises(ValueError, match='distinct'):
        OBJECTIVES.build(
            dict(type='Regression', losses=[dict(type='SSIMLoss'), dict(type='SSIMLoss')])
        )
