import pytest
import torch
from mmengine.optim import OptimWrapper

from fusionbox.models import AllInOneFuser
from fusionbox.registry import MODELS
from fusionbox.structures import FusionSample
from fusionbox.utils.color import ycbcr_to_rgb


def _data(n=2, h=10, w=9, tasks=('ivf', 'mff'), gt_for=('mff',), chroma=False, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i, task in enumerate(tasks):
        inputs.append(torch.rand(n, 1, h, w, generator=gen))
        sample = FusionSample(metainfo=dict(task=task, stem=f's{i}', ori_shape=(h, w)))
        if task in gt_for:
            sample.gt = torch.rand(1, h, w, generator=gen)
        if chroma:
            sample.chroma = torch.rand(2, h, w, generator=gen)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _model(**kwargs):
    return MODELS.build(
        dict(type='AllInOneFuser', backbone=dict(type='UNet', arch='unet-t'), **kwargs)
    )


@pytest.mark.parametrize('n', [2, 3])
def test_predict_crops_the_padding_back_exactly(n):
    model = _model().eval()
    assert model.data_preprocessor.size_divisor == 4
    data = _data(n=n, h=10, w=9)
    with torch.no_grad():
        out = model.test_step(data)
    for sample, inputs in zip(out, data['inputs']):
        assert sample.pred.shape == (1, 10, 9)
        assert sample.sources.shape == (n, 1, 10, 9)
        assert torch.equal(sample.sources, inputs)
        torch.testing.assert_close(sample.pred, inputs.mean(0))  # untrained: the mean, unpadded
        assert sample.metainfo['nfe'] == 1
        assert 'gt' not in sample or sample.gt.shape == (1, 10, 9)
        assert 'pred_color' not in sample


def test_predict_recomposes_colour_when_chroma_is_given():
    model = _model().eval()
    data = _data(chroma=True)
    with torch.no_grad():
        out = model.test_step(data)
    for sample in out:
        assert sample.pred_color.shape == (3, 10, 9)
        expected = ycbcr_to_rgb(torch.cat([sample.pred, sample.chroma]))
        torch.testing.assert_close(sample.pred_color, expected)
        assert 0 <= sample.pred_color.min() and sample.pred_color.max() <= 1


def test_tensor_and_loss_modes():
    model = _model()
    batch = model.data_preprocessor(_data(), True)
    fused = model(**batch, mode='tensor')
    assert fused.shape == (2, 1, 10, 9)
    losses = model(**batch, mode='loss')
    assert {'loss_intensity', 'loss_gradient', 'loss_ssim', 'loss_supervised'} == set(losses)
    with pytest.raises(ValueError, match='mode'):
        model(**batch, mode='sample')


def test_a_few_optimisation_steps_lower_the_loss():
    torch.manual_seed(0)
    tiny = dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16)
    model = MODELS.build(
        dict(
            type='AllInOneFuser',
            backbone=dict(type='UNet', arch=tiny),
            objective=dict(
                type='Regression', supervised=dict(type='SupervisedLoss', ssim_weight=1.0)
            ),
        )
    )
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=3e-3))
    data = _data(h=16, w=16, tasks=('ivf', 'mff', 'mef'), gt_for=('mff',))
    history = [model.train_step(data, optim)['loss'].item() for _ in range(10)]
    assert history[-1] < history[0] * 0.9, history


def test_unknown_types_name_the_sub_config():
    with pytest.raises(KeyError, match='backbone.*NoNet'):
        MODELS.build(dict(type='AllInOneFuser', backbone=dict(type='NoNet')))
    with pytest.raises(KeyError, match='objective.*NoObjective'):
        _model(objective=dict(type='NoObjective'))
    with pytest.raises(KeyError, match=r'objective.*losses\[0\].*NoLoss'):
        _model(objective=dict(type='Regression', losses=[dict(type='NoLoss')]))
    with pytest.raises(KeyError, match='data_preprocessor.*NoPre'):
        _model(data_preprocessor=dict(type='NoPre'))
    with pytest.raises(KeyError, match='backbone.*"type"'):
        AllInOneFuser(backbone=dict(arch='unet-t'))
    with pytest.raises(ValueError, match='size_divisor'):
        _model(data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=2))
