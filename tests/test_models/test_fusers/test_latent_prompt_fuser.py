"""AllInOneFuser with a latent space, a prompt encoder and backbone auxiliary losses."""

import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from fusionbox.registry import MODELS
from fusionbox.structures import FusionSample

TINY_UNET = dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16)
TINY_DIT = dict(depth=1, embed_dims=32, num_heads=2, mlp_ratio=2.0)
HASHED = dict(type='HashedNgramTextEncoder', dim=8, num_buckets=64)


def _data(h=12, w=10, prompts=('remove the rain', ''), tasks=('ivf', 'mff'), gt_for=('mff',)):
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for i, (task, prompt) in enumerate(zip(tasks, prompts)):
        inputs.append(torch.rand(2, 1, h, w, generator=gen))
        sample = FusionSample(metainfo=dict(task=task, stem=f's{i}', prompt=prompt))
        if task in gt_for:
            sample.gt = torch.rand(1, h, w, generator=gen)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _fuser(**kw):
    kw.setdefault('backbone', dict(type='UNet', arch=TINY_UNET))
    return MODELS.build(dict(type='AllInOneFuser', **kw))


@pytest.mark.parametrize(
    'ae, divisor',
    [
        (dict(type='IdentityAutoencoder'), 2),
        (dict(type='PixelUnshuffleAutoencoder', factor=2), 4),
        (dict(type='HaarWaveletAutoencoder', levels=2), 8),
        (dict(type='ConvAutoencoder', base_channels=8, downsample=2), 4),
    ],
)
def test_latent_fuser_predicts_at_the_input_size(ae, divisor):
    model = _fuser(autoencoder=ae).eval()
    assert model.data_preprocessor.size_divisor == divisor
    data = _data()
    with torch.no_grad():
        out = model.test_step(data)
    for sample, inputs in zip(out, data['inputs']):
        assert sample.pred.shape == (1, 12, 10)
        assert sample.sources.shape == (2, 1, 12, 10)
        if ae['type'] != 'ConvAutoencoder':  # linear, lossless: untrained base = mean of sources
            torch.testing.assert_close(sample.pred, inputs.mean(0), atol=1e-5, rtol=0)
    batch = model.data_preprocessor(data, True)
    assert model(**batch, mode='tensor').shape == (2, 1, 12, 10)


def test_latent_flow_matching_and_pixel_space_losses():
    fm = dict(type='FlowMatching', x0='noise', num_steps=2, clamp=False, target_key='gt')
    haar = dict(type='HaarWaveletAutoencoder')
    latent = _fuser(
        backbone=dict(type='UNet', arch=TINY_UNET, state_channels=4, with_time=True, base='zero'),
        autoencoder=haar,
        objective=fm,
    )
    batch = latent.data_preprocessor(_data(), True)
    assert set(latent(**batch, mode='loss')) == {'loss_velocity'}
    assert latent(**batch, mode='tensor').shape == (2, 1, 12, 10)
    assert latent.test_step(_data())[0].metainfo['nfe'] == 2
    # the same with the losses on images: the backbone still runs on the 4-channel latent
    pixel = _fuser(
        backbone=dict(type='UNet', arch=TINY_UNET, state_channels=4, with_time=True, base='zero'),
        autoencoder=haar,
        objective=dict(fm, losses=[dict(type='GradientLoss')]),
        loss_space='pixel',
    )
    losses = pixel(**pixel.data_preprocessor(_data(), True), mode='loss')
    assert set(losses) == {'loss_velocity', 'loss_gradient'}
    assert pixel.backbone.in_channels == 4
    assert pixel(**batch, mode='tensor').shape == (2, 1, 12, 10)


def test_prompt_dim_is_set_from_the_text_encoder_or_checked():
    model = _fuser(text_encoder=HASHED)
    assert model.backbone.cond.prompt[0].in_features == 8
    with pytest.raises(ValueError, match='prompt_dim=5 differs'):
        _fuser(backbone=dict(type='UNet', arch=TINY_UNET, prompt_dim=5), text_encoder=HASHED)


def test_prompt_changes_the_output_when_the_prompt_pathway_is_non_zero():
    torch.manual_seed(0)
    model = _fuser(text_encoder=HASHED).eval()
    with torch.no_grad():  # the zero-initialised modulations and head pass nothing: open them
        for m in model.backbone.modules():
            if isinstance(m, nn.Linear) or m is model.backbone.out_conv:
                nn.init.normal_(m.weight, std=0.3)
    data = _data(prompts=('remove the rain', 'remove the rain'), tasks=('ivf', 'ivf'))
    data['inputs'][1] = data['inputs'][0].clone()
    batch = model.data_preprocessor(data, False)
    with torch.no_grad():
        same = model(**batch, mode='tensor')
        torch.testing.assert_close(same[0], same[1])
        data['data_samples'][1].set_metainfo(dict(prompt='brighten the dark image'))
        other = model(**model.data_preprocessor(data, False), mode='tensor')
    assert (other[0] - other[1]).abs().max() > 1e-4
    # without samples the prompts are empty
    assert model.encode_prompts(None, 2).shape == (2, 8)


def test_moe_aux_losses_appear_in_the_loss_dict_and_train():
    torch.manual_seed(0)
    model = _fuser(
        backbone=dict(type='MoEDiT', arch=TINY_DIT, patch_size=2, input_size=8, num_experts=2),
        autoencoder=dict(type='HaarWaveletAutoencoder'),
        text_encoder=HASHED,
    )
    batch = model.data_preprocessor(_data(h=16, w=16), True)
    losses = model(**batch, mode='loss')
    assert 'loss_moe_balance' in losses and losses['loss_moe_balance'] > 0
    assert {'loss_intensity', 'loss_gradient', 'loss_ssim', 'loss_supervised'} < set(losses)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-3))
    logs = model.train_step(_data(h=16, w=16), optim)
    assert torch.isfinite(logs['loss']) and 'loss_moe_balance' in logs


def test_target_fallback_fills_the_samples_without_a_pseudo_label():
    model = _fuser(
        objective=dict(type='Regression', target_key='pseudo_label'), target_fallback='gt'
    )
    gt, pl = torch.zeros(3, 1, 4, 4), torch.ones(3, 1, 4, 4)
    inputs = dict(
        gt=gt, gt_valid=torch.tensor([True, True, False]),
        pseudo_label=pl, pseudo_label_valid=torch.tensor([True, False, False]),
    )  # fmt: skip
    target, valid = model._target(inputs)
    assert valid.tolist() == [True, True, False]
    assert target[:, 0, 0, 0].tolist() == [1.0, 0.0, 1.0]
    target, valid = model._target(dict(gt=gt, gt_valid=inputs['gt_valid'], pseudo_label=None))
    assert target is gt and valid.tolist() == [True, True, False]
    with pytest.raises(ValueError, match='target_fallback'):
        _fuser(target_fallback='mask')


def test_backbone_channels_must_match_the_latent():
    with pytest.raises(ValueError, match='latent has 4 channels'):
        _fuser(
            backbone=dict(type='UNet', arch=TINY_UNET, in_channels=1),
            autoencoder=dict(type='PixelUnshuffleAutoencoder'),
        )
