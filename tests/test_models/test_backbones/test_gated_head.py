import pytest
import torch
import torch.nn as nn

from fusionbox.models import UNet
from fusionbox.models.backbones.gated_head import MIN_REMAINING_TIME, SourceGatedHead
from fusionbox.models.objectives.paths import LinearPath

ARCH = dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16)


def _randomise(net: nn.Module, seed: int = 0) -> nn.Module:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    return net


def test_untrained_gated_unet_returns_the_mean_of_any_number_of_sources():
    for n in (2, 3, 4):
        sources = torch.rand(2, n, 1, 8, 8)
        out = UNet(ARCH, head='gated')(sources, torch.tensor([0, 3])).fused
        torch.testing.assert_close(out, sources.mean(1))


def test_gates_are_a_convex_combination_and_order_free():
    net = _randomise(UNet(ARCH, head='gated'))
    nn.init.zeros_(net.gated_head.residual.weight)
    nn.init.zeros_(net.gated_head.residual.bias)
    sources = torch.rand(2, 3, 1, 8, 8)
    task = torch.tensor([1, 2])
    out = net(sources, task).fused
    # without the residual every output lies between the smallest and the largest source
    assert (out >= sources.amin(1) - 1e-6).all() and (out <= sources.amax(1) + 1e-6).all()
    assert (out - sources.mean(1)).abs().max() > 1e-3  # the gates are not uniform
    torch.testing.assert_close(out, net(sources[:, [2, 0, 1]], task).fused, rtol=1e-5, atol=1e-5)


def test_a_gate_can_select_one_source_per_pixel():
    head = SourceGatedHead(feat_channels=4, source_feat_channels=1, channels=1)
    with torch.no_grad():  # logit = 50 * (source feature): picks the source whose feature is 1
        head.gate.weight.zero_()
        head.gate.weight[0, 4, 1, 1] = 50.0
    sources = torch.rand(1, 2, 1, 6, 6)
    choose_b = torch.zeros(1, 2, 1, 6, 6)
    choose_b[:, 1, :, :, 3:] = 1  # right half: source 1; left half: sources equal
    choose_b[:, 0, :, :, :3] = 1
    out = head.end_point(torch.zeros(1, 4, 6, 6), choose_b, sources)
    torch.testing.assert_close(out[..., :3], sources[:, 0, :, :, :3], atol=1e-6, rtol=0)
    torch.testing.assert_close(out[..., 3:], sources[:, 1, :, :, 3:], atol=1e-6, rtol=0)


def test_flow_velocity_carries_the_state_to_the_end_point(monkeypatch):
    net = _randomise(UNet(ARCH, head='gated', state_channels=1, with_time=True))
    ends = []
    end_point = net.gated_head.end_point
    monkeypatch.setattr(
        net.gated_head, 'end_point', lambda *a: ends.append(end_point(*a)) or ends[-1]
    )
    sources, x = torch.rand(2, 2, 1, 8, 8), torch.rand(2, 1, 8, 8)
    task = torch.tensor([0, 3])
    for t in (torch.tensor([0.0, 0.5]), torch.tensor([0.25, 0.75])):
        v = net(sources, task, t=t, x=x).fused
        # the one-step estimate of the linear path is the head's end point
        torch.testing.assert_close(LinearPath().end_point(x, v, t), ends[-1], rtol=1e-5, atol=1e-5)
    # near t = 1 the division is bounded
    v = net(sources, task, t=torch.tensor([1.0, 1.0]), x=x).fused
    torch.testing.assert_close(v, (ends[-1] - x) / MIN_REMAINING_TIME, rtol=1e-5, atol=1e-5)


def test_gated_head_refuses_what_it_cannot_predict():
    with pytest.raises(ValueError, match='gated'):
        UNet(ARCH, head='gated', base='zero', out_channels=2)
    with pytest.raises(ValueError, match='gated'):
        UNet(ARCH, head='gated', base='max')
    with pytest.raises(ValueError, match='state_channels'):
        UNet(ARCH, head='gated', with_time=True, state_channels=0)
    with pytest.raises(ValueError, match='head must be'):
        UNet(ARCH, head='attention')


HAAR3 = dict(type='HaarWaveletAutoencoder', levels=3)


def test_gates_on_a_latent_grid_are_smooth_pixel_weights():
    net = _randomise(UNet(ARCH, head='gated', latent=HAAR3))
    assert net.size_divisor == 16
    sources = torch.rand(1, 3, 1, 32, 48)
    weights = []
    orig = net.gated_head.weights

    def recording_weights(*args):
        weights.append(orig(*args))
        return weights[-1]

    net.gated_head.weights = recording_weights
    out = net(sources, torch.tensor([3])).fused
    w = weights[-1]  # (1, 3, 1, 32, 48), one map per source, shared by the channels
    assert w.shape == (1, 3, 1, 32, 48)
    torch.testing.assert_close(w.sum(1), torch.ones(1, 1, 32, 48))
    # no block edges: the step across the 8 x 8 latent blocks is no larger than inside them
    steps = (w[..., 1:] - w[..., :-1]).abs().mean(dim=(0, 1, 2, 3))  # (47,) per column step
    at_block_edges = steps[7::8].mean()
    assert at_block_edges < 2 * steps.mean()
    assert out.shape == (1, 1, 32, 48)


def test_untrained_latent_unet_returns_the_mean_or_its_base():
    sources = torch.rand(2, 2, 1, 16, 32)
    task = torch.tensor([0, 2])
    gated = UNet(ARCH, head='gated', latent=HAAR3, state_channels=1, with_time=True)
    x = torch.rand(2, 1, 16, 32)
    v = gated(sources, task, t=torch.tensor([0.0, 0.5]), x=x).fused
    torch.testing.assert_close(x + torch.tensor([1.0, 0.5]).view(2, 1, 1, 1) * v, sources.mean(1))
    direct = UNet(ARCH, base='max', latent=HAAR3)
    torch.testing.assert_close(direct(sources, task).fused, sources.amax(1))


def test_latent_unet_refuses_learned_latents_and_odd_states():
    with pytest.raises(ValueError, match='lossless'):
        UNet(ARCH, latent=dict(type='ConvAutoencoder'))
    with pytest.raises(ValueError, match='state_channels'):
        UNet(ARCH, latent=HAAR3, state_channels=2)


def test_detail_band_starts_as_the_mean_and_can_take_the_stronger_texture():
    head = SourceGatedHead(feat_channels=4, source_feat_channels=1, channels=1, detail_sigma=1.0)
    base = torch.linspace(0, 1, 24).repeat(24, 1)  # a smooth ramp shared by both sources
    texture = 0.2 * (torch.arange(24) % 2).float().view(24, 1).expand(24, 24)  # row stripes
    left, right = torch.zeros(24, 24), torch.zeros(24, 24)
    left[:, :12], right[:, 12:] = 1, 1
    sources = torch.stack([base + texture * left, base + texture * right])[None, :, None]
    feat, source_feat = torch.zeros(1, 4, 24, 24), torch.zeros(1, 2, 1, 24, 24)
    # untrained: zero gates and scale, the mean of the sources
    torch.testing.assert_close(head.end_point(feat, source_feat, sources), sources.mean(1))
    with torch.no_grad():
        head.detail_energy_scale.fill_(20.0)  # weights ~ energy^20: the more textured source
    out = head.end_point(feat, source_feat, sources)[0, 0]
    mean = sources.mean(1)[0, 0]
    # away from the seam the stripes come through at full strength (the mean halves them)
    inner = (slice(3, 21), slice(2, 9))
    amp = (out[1:, :] - out[:-1, :]).abs()
    assert amp[inner].mean() > 0.9 * 0.2 and (mean[1:] - mean[:-1]).abs()[inner].mean() < 0.11
    assert (amp[3:21, 15:22].mean() - amp[inner].mean()).abs() < 0.01  # the same on the right
    # the low band keeps the smooth (here equal) gates: the ramp plus half the stripes' mean 0.1
    torch.testing.assert_close(out[:, 4:8].mean(0), base[:, 4:8].mean(0) + 0.05, atol=0.01, rtol=0)


def test_detail_band_on_a_latent_grid_and_its_refusals():
    net = _randomise(UNet(ARCH, head='gated', latent=HAAR3, head_cfg=dict(detail_sigma=2.0)))
    assert net.gated_head.detail_subdivision == 4
    sources = torch.rand(1, 2, 1, 32, 48)
    out = net(sources, torch.tensor([0])).fused
    assert out.shape == (1, 1, 32, 48) and torch.isfinite(out).all()
    with pytest.raises(ValueError, match='detail_sigma'):
        UNet(ARCH, head='gated', head_cfg=dict(detail_sigma=0.0))
    with pytest.raises(ValueError, match='head_cfg'):
        UNet(ARCH, head_cfg=dict(detail_sigma=2.0))


def test_detail_bands_are_shared_by_the_steps_of_one_sampling_loop():
    head = SourceGatedHead(feat_channels=4, source_feat_channels=1, channels=1, detail_sigma=1.0)
    sources = torch.rand(1, 2, 1, 16, 16)
    with torch.no_grad():
        first = head.bands(sources)
        assert head.bands(sources) is first  # the same tensor, unchanged: kept
        sources[:, 0] = 0.5  # changed in place: made again
        again = head.bands(sources)
        assert again is not first
        torch.testing.assert_close(again[0][:, 0], torch.full((1, 1, 16, 16), 0.5))
        assert head.bands(sources.clone()) is not again  # another tensor: made again
    assert head.bands(sources) is not head.bands(sources)  # with gradients: never kept
