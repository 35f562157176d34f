"""The declared backbone contract: declarations, input checks, objectives that refuse a backbone
that does not fit, and the pixel-space wrapper."""

import pytest
import torch
import torch.nn as nn

from fusionbox.models.backbones import (
    CONTRACT,
    BackboneOutput,
    BaseBackbone,
    DiT,
    MoEDiT,
    UNet,
    contract,
)
from fusionbox.models.fusers.all_in_one_fuser import PixelSpaceBackbone
from fusionbox.registry import MODELS, OBJECTIVES

TINY_UNET = dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16)
TINY_DIT = dict(depth=1, embed_dims=32, num_heads=2, mlp_ratio=2.0)


class Undeclared(nn.Module):
    """What a backbone written before the contract looked like."""

    def forward(self, sources, task, t=None, prompt_emb=None, x=None):
        return BackboneOutput(sources.mean(1))


class RegressionOnly(BaseBackbone):
    def __init__(self, in_channels=1):
        super().__init__(in_channels, None, 0, False, None, 1)
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, sources, task, t=None, prompt_emb=None, x=None):
        self.check_inputs(sources, t, prompt_emb, x)
        return BackboneOutput(self.scale * sources.mean(1))


def _fuser(backbone, **kw):
    return MODELS.build(dict(type='AllInOneFuser', backbone=backbone, **kw))


def test_built_in_backbones_declare_the_contract():
    assert CONTRACT == (
        'in_channels', 'out_channels', 'state_channels', 'accepts_time', 'prompt_dim',
        'size_divisor',
    )  # fmt: skip
    assert contract(UNet(TINY_UNET)) == dict(
        in_channels=1, out_channels=1, state_channels=0, accepts_time=False, prompt_dim=None,
        size_divisor=2,
    )  # fmt: skip
    velocity = UNet(TINY_UNET, in_channels=4, state_channels=4, with_time=True, prompt_dim=8,
                    base='zero')  # fmt: skip
    assert contract(velocity) == dict(
        in_channels=4, out_channels=4, state_channels=4, accepts_time=True, prompt_dim=8,
        size_divisor=2,
    )  # fmt: skip
    assert velocity.with_time and velocity.num_tasks == 4
    assert contract(DiT(TINY_DIT, patch_size=4))['size_divisor'] == 4
    assert contract(MoEDiT(TINY_DIT, with_time=True, input_size=8))['accepts_time'] is True


def test_inputs_the_backbone_was_not_built_for_are_refused():
    net, task = RegressionOnly(), torch.tensor([0])
    with pytest.raises(
        ValueError, match='RegressionOnly built with in_channels=1 got sources with 3'
    ):
        net(torch.rand(1, 2, 3, 4, 4), task)
    with pytest.raises(ValueError, match='RegressionOnly got a time t'):
        net(torch.rand(1, 2, 1, 4, 4), task, t=torch.tensor([0.5]))
    with pytest.raises(ValueError, match='state_channels=0 got x=True'):
        net(torch.rand(1, 2, 1, 4, 4), task, x=torch.rand(1, 1, 4, 4))
    with pytest.raises(KeyError, match="unknown UNet arch 'unet-xxl'"):
        UNet.resolve_arch('unet-xxl')
    with pytest.raises(KeyError, match=r"DiT arch dict lacks \['num_heads'\]"):
        DiT.resolve_arch(dict(depth=1, embed_dims=8, mlp_ratio=2.0))


def test_an_undeclared_backbone_is_refused_by_name():
    with pytest.raises(TypeError, match=r"backbone Undeclared does not declare \['in_channels'"):
        _fuser(Undeclared())
    with pytest.raises(TypeError, match='Undeclared does not declare'):
        OBJECTIVES.build(dict(type='FlowMatching')).check_backbone(Undeclared())


def test_flow_matching_refuses_a_backbone_that_does_not_declare_time():
    with pytest.raises(ValueError, match='RegressionOnly has state_channels=0, with_time=False'):
        _fuser(RegressionOnly(), objective=dict(type='FlowMatching'))
    with pytest.raises(ValueError, match='UNet has state_channels=1, with_time=False'):
        _fuser(
            dict(type='UNet', arch=TINY_UNET, state_channels=1), objective=dict(type='FlowMatching')
        )
    fm = _fuser(dict(type='UNet', arch=TINY_UNET, state_channels=1, with_time=True, base='zero'),
                objective=dict(type='FlowMatching'))  # fmt: skip
    assert fm.objective.init_fusion == ['max', 'max', 'mean', 'mean']


def test_regression_refuses_a_backbone_that_expects_a_state():
    with pytest.raises(ValueError, match='UNet declares state_channels=1'):
        _fuser(dict(type='UNet', arch=TINY_UNET, state_channels=1, with_time=True, base='zero'))


def test_aux_losses_are_returned_not_stored():
    model = _fuser(dict(type='MoEDiT', arch=TINY_DIT, input_size=8, num_experts=2))
    batch = dict(sources=torch.rand(2, 2, 1, 8, 8), task=torch.tensor([0, 2]))
    losses = model(batch, mode='loss')
    assert list(losses)[-1] == 'loss_moe_balance' and losses['loss_moe_balance'] > 0
    assert not hasattr(model, 'aux_losses') and not hasattr(model.backbone, '_balance')


def test_the_pixel_space_wrapper_is_a_module_that_adds_no_weights():
    haar = dict(type='HaarWaveletAutoencoder', levels=1)
    unet = dict(type='UNet', arch=TINY_UNET, state_channels=4, with_time=True, base='zero')
    latent = _fuser(unet, autoencoder=haar, objective=dict(type='FlowMatching'))
    pixel = _fuser(unet, autoencoder=haar, objective=dict(type='FlowMatching'), loss_space='pixel')
    assert list(pixel.state_dict()) == list(latent.state_dict())  # same keys, in order
    wrapped = pixel.objective_backbone()
    assert isinstance(wrapped, PixelSpaceBackbone) and isinstance(wrapped, nn.Module)
    assert contract(wrapped) == dict(
        in_channels=1, out_channels=1, state_channels=1, accepts_time=True, prompt_dim=None,
        size_divisor=4,
    )  # fmt: skip
    assert wrapped.backbone is pixel.backbone and wrapped.autoencoder is pixel.autoencoder
    sources, task = torch.rand(2, 2, 1, 8, 8), torch.tensor([0, 1])
    out = wrapped(sources, task, t=torch.rand(2), x=torch.rand(2, 1, 8, 8))
    assert out.fused.shape == (2, 1, 8, 8) and out.aux_losses == {}
