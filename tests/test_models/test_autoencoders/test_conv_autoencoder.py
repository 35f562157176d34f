import pytest
import torch
from mmengine.optim import OptimWrapper

from fusionbox.registry import AUTOENCODERS, MODELS
from fusionbox.structures import FusionSample
from fusionbox.utils.errors import CheckpointError

TINY_AE = dict(type='ConvAutoencoder', latent_channels=4, downsample=4, base_channels=8)


def _data(b=2, n=2, size=16, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs = [torch.rand(n, 1, size, size, generator=gen) for _ in range(b)]
    samples = [FusionSample(metainfo=dict(task='ivf', stem=f's{i}')) for i in range(b)]
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('kl', [True, False])
def test_conv_autoencoder_shapes(kl):
    ae = AUTOENCODERS.build(dict(TINY_AE, kl=kl))
    x = torch.rand(2, 1, 16, 24)
    mean, logvar = ae.encode_posterior(x)
    assert ae.encode(x).shape == mean.shape == (2, 4, 4, 6)
    assert (logvar is None) == (not kl)
    assert ae.decode(mean).shape == x.shape
    assert (ae.latent_channels, ae.downsample) == (4, 4)


@pytest.mark.parametrize('kl', [True, False])
def test_trainer_loss_decreases_over_a_few_steps(kl):
    torch.manual_seed(0)
    model = MODELS.build(dict(type='AutoencoderTrainer', autoencoder=dict(TINY_AE, kl=kl)))
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=3e-3))
    data = _data()
    history = [model.train_step(data, optim) for _ in range(12)]
    assert ('loss_kl' in history[0]) == kl
    rec = [h['loss_rec'].item() for h in history]
    assert rec[-1] < 0.7 * rec[0], rec
    out = model.test_step(data)
    assert out[0].pred.shape == (2, 1, 16, 16) and 'psnr' in out[0].metainfo


def test_trained_checkpoint_loads_frozen_into_a_fuser(tmp_path):
    torch.manual_seed(0)
    trainer = MODELS.build(dict(type='AutoencoderTrainer', autoencoder=TINY_AE))
    optim = OptimWrapper(torch.optim.Adam(trainer.parameters(), lr=3e-3))
    trainer.train_step(_data(), optim)
    path = tmp_path / 'ae.pth'
    torch.save({'meta': {}, 'state_dict': trainer.state_dict()}, path)  # as MMEngine saves it

    fuser = MODELS.build(
        dict(
            type='AllInOneFuser',
            backbone=dict(
                type='UNet', arch=dict(base_channels=8, channel_mults=(1,), num_blocks=1, emb_dim=8)
            ),
            autoencoder=dict(TINY_AE, checkpoint=str(path), frozen=True),
        )
    )
    ae = fuser.autoencoder
    for name, value in trainer.autoencoder.state_dict().items():
        torch.testing.assert_close(ae.state_dict()[name], value)
    assert not any(p.requires_grad for p in ae.parameters())
    fuser.train()
    assert fuser.backbone.training and not ae.training
    trainable = {n for n, p in fuser.named_parameters() if p.requires_grad}
    assert trainable and not any(n.startswith('autoencoder.') for n in trainable)
    assert fuser.backbone.in_channels == 4
    assert fuser.data_preprocessor.size_divisor == 4


def test_a_mismatched_checkpoint_is_an_error(tmp_path):
    path = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'autoencoder.nothing': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointError, match=r'bad\.pth does not fit'):
        AUTOENCODERS.build(dict(TINY_AE, checkpoint=str(path)))


def test_frozen_without_checkpoint_warns():
    with pytest.warns(UserWarning, match='no checkpoint'):
        ae = AUTOENCODERS.build(dict(TINY_AE, frozen=True))
    assert not ae.train().training
