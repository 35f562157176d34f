import copy

import pytest
import torch
import torch.nn as nn

from fusionbox.models.backbones import MoEDiT
from fusionbox.registry import BACKBONES

TINY = dict(depth=3, embed_dims=32, num_heads=2, mlp_ratio=2.0)
FLAGS = ('naf_block', 'value_residual', 'moe', 'rope', 'learned_pos', 'gated_residual')


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one thread avoids oversubscribing the shared CPU cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _tiny(**kw) -> MoEDiT:
    kw.setdefault('lora_rank', 4)
    return MoEDiT(TINY, input_size=8, **kw)


def _count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def _randomise(net: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter (also the zero-initialised ones) a random value."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    return net


@pytest.mark.parametrize('n', [2, 3])
@pytest.mark.parametrize('patch_size, size', [(2, (10, 14)), (3, (9, 15))])
def test_shapes_for_any_number_of_sources(n, patch_size, size):
    cfg = dict(type='MoEDiT', arch=TINY, patch_size=patch_size, input_size=12, lora_rank=4)
    net = _randomise(BACKBONES.build(cfg))
    out = net(torch.rand(2, n, 1, *size), torch.tensor([0, 3])).fused
    assert out.shape == (2, 1, *size)
    with pytest.raises(ValueError, match=f'multiple of {patch_size}'):
        net(torch.rand(1, n, 1, size[0] + 1, size[1]), torch.tensor([0]))


def test_presets_and_errors():
    with torch.device('meta'):  # count without allocating
        assert _count(MoEDiT('moe-dit-t')) < _count(MoEDiT('moe-dit-s'))
    with pytest.raises(KeyError, match='moe-dit-q'):
        MoEDiT('moe-dit-q')
    with pytest.raises(ValueError, match='top_k'):
        _tiny(num_experts=2, top_k=3)
    with pytest.raises(ValueError, match='divisible by 4'):
        MoEDiT(dict(depth=1, embed_dims=12, num_heads=2, mlp_ratio=2.0))


def test_permutation_invariance_over_sources():
    net = _randomise(_tiny())
    sources, task = torch.rand(2, 3, 1, 8, 8), torch.tensor([1, 2])
    out = net(sources, task).fused
    assert out.abs().mean() > 1e-3
    torch.testing.assert_close(out, net(sources[:, [2, 0, 1]], task).fused, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('gated', [True, False])
@pytest.mark.parametrize('base', ['mean', 'zero'])
def test_untrained_model_returns_its_base_and_blocks_are_identities(base, gated):
    net = _tiny(base=base, gated_residual=gated, with_time=True, prompt_dim=5)
    seen = []
    for block in net.blocks:
        block.register_forward_hook(lambda m, args, out: seen.append((args[0], out[0])))
    sources = torch.rand(2, 3, 1, 8, 6)
    out = net(sources, torch.tensor([0, 1]), torch.rand(2), torch.randn(2, 5)).fused
    expected = sources.mean(1) if base == 'mean' else torch.zeros(2, 1, 8, 6)
    torch.testing.assert_close(out, expected)
    assert len(seen) == len(net.blocks)
    for x_in, x_out in seen:
        assert torch.equal(x_in, x_out)


def test_each_switch_runs_and_changes_the_parameter_count():
    full = _tiny()
    d, depth, sources, task = 32, TINY['depth'], torch.rand(2, 2, 1, 8, 8), torch.tensor([0, 1])
    for flag in FLAGS:
        net = _randomise(_tiny(**{flag: False}))
        assert net(sources, task).fused.shape == (2, 1, 8, 8), flag
        if flag == 'rope':  # no parameters, but the output changes
            ref = _randomise(_tiny())
            assert _count(net) == _count(full)
            assert not torch.allclose(net(sources, task).fused, ref(sources, task).fused)
        else:
            assert _count(net) < _count(full), flag
    assert _count(full) - _count(_tiny(value_residual=False)) == depth - 1  # one lambda per block
    assert _count(full) - _count(_tiny(learned_pos=False)) == d * 4 * 4  # 8 // 2 = 4 grid
    assert _count(_tiny(lora_rank=0)) > _count(full)  # full-rank adaLN per block
    assert _tiny(moe=False)(torch.rand(1, 2, 1, 8, 8), task[:1]).aux_losses == {}
    # a different grid than built for: the learned table is interpolated
    assert _randomise(_tiny())(torch.rand(1, 2, 1, 12, 6), task[:1]).fused.shape == (1, 1, 12, 6)


def test_a_few_steps_lower_an_l1_loss():
    torch.manual_seed(0)
    net = _tiny()
    sources, task = torch.rand(4, 2, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    target = sources.amax(1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    losses = []
    for _ in range(8):
        res = net(sources, task)
        loss = (res.fused - target).abs().mean() + sum(res.aux_losses.values())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_the_balance_loss_is_returned_and_no_state_is_left_on_the_model():
    net = _tiny()
    res = net(torch.rand(1, 2, 1, 8, 8), torch.tensor([0]))
    (res.fused.sum() + res.aux_losses['loss_moe_balance']).backward()
    assert set(res.aux_losses) == {'loss_moe_balance'} and res.aux_losses['loss_moe_balance'] > 0
    assert not hasattr(net, 'aux_losses') and not hasattr(net, '_balance')
    twin = copy.deepcopy(net)  # e.g. EWC or EMA keeping a copy of the model
    assert _count(twin) == _count(net)
