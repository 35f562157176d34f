import pytest
import torch
import torch.nn as nn

from fusionbox.models.backbones import DiT
from fusionbox.registry import BACKBONES

TINY = dict(depth=2, embed_dims=32, num_heads=2, mlp_ratio=2.0)


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one thread avoids oversubscribing the shared CPU cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _randomise(net: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter (also the zero-initialised ones) a random value."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    return net


@pytest.mark.parametrize('n', [2, 3])
@pytest.mark.parametrize('patch_size, size', [(2, (18, 14)), (3, (9, 15))])
def test_shapes_for_any_number_of_sources(n, patch_size, size):
    net = BACKBONES.build(dict(type='DiT', arch=TINY, patch_size=patch_size))
    assert net.size_divisor == patch_size
    out = _randomise(net)(torch.rand(2, n, 1, *size), torch.tensor([0, 3])).fused
    assert out.shape == (2, 1, *size)


def test_presets_and_errors():
    with torch.device('meta'):  # count without allocating
        counts = {a: sum(p.numel() for p in DiT(a).parameters()) for a in ('dit-t', 'dit-s')}
    assert counts['dit-t'] < counts['dit-s']
    assert 32e6 < counts['dit-s'] < 34e6  # DiT-S/2 of the paper has 33 M parameters
    with pytest.raises(KeyError, match='dit-q'):
        DiT('dit-q')
    with pytest.raises(KeyError, match='depth'):
        DiT(dict(embed_dims=32, num_heads=2, mlp_ratio=2.0))
    with pytest.raises(ValueError, match='out_channels'):
        DiT(TINY, out_channels=3)
    net, task = DiT(TINY, patch_size=4), torch.tensor([0])
    with pytest.raises(ValueError, match='multiple of 4'):
        net(torch.rand(1, 2, 1, 10, 8), task)
    sources = torch.rand(1, 2, 1, 8, 8)
    with pytest.raises(ValueError, match='with_time=False'):
        net(sources, task, t=torch.tensor([0.5]))
    with pytest.raises(ValueError, match='prompt_dim=None'):
        net(sources, task, prompt_emb=torch.randn(1, 4))
    with pytest.raises(ValueError, match='state_channels=0'):
        net(sources, task, x=torch.rand(1, 1, 8, 8))


def test_permutation_invariance_over_sources():
    net = _randomise(DiT(TINY))
    sources, task = torch.rand(2, 3, 1, 8, 8), torch.tensor([1, 2])
    out = net(sources, task).fused
    assert out.abs().mean() > 1e-3
    torch.testing.assert_close(out, net(sources[:, [2, 0, 1]], task).fused, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('base', ['mean', 'max', 'zero'])
def test_untrained_model_returns_its_base(base):
    sources = torch.rand(2, 3, 1, 8, 6)
    out = DiT(TINY, base=base, with_time=True)(sources, torch.tensor([0, 1]), t=torch.rand(2)).fused
    expected = {'mean': sources.mean(1), 'max': sources.amax(1), 'zero': torch.zeros(2, 1, 8, 6)}
    torch.testing.assert_close(out, expected[base])


def test_adaln_zero_every_block_is_the_identity_at_init():
    net = DiT(TINY, with_time=True, prompt_dim=5)
    seen = []
    for block in net.blocks:
        block.register_forward_hook(lambda m, args, out: seen.append((args[0], out)))
    net(torch.rand(2, 2, 1, 8, 8), torch.tensor([0, 1]), torch.rand(2), torch.randn(2, 5))
    assert len(seen) == len(net.blocks)
    for x_in, x_out in seen:
        assert torch.equal(x_in, x_out)


def test_task_time_prompt_and_state_condition_the_output():
    net = _randomise(DiT(TINY, state_channels=1, with_time=True, prompt_dim=5))
    sources, x = torch.rand(2, 2, 1, 8, 8), torch.rand(2, 1, 8, 8)
    t, prompt, task = torch.tensor([0.1, 0.9]), torch.randn(2, 5), torch.tensor([0, 0])
    out = net(sources, task, t=t, prompt_emb=prompt, x=x).fused
    changed = [
        net(sources, torch.tensor([1, 1]), t=t, prompt_emb=prompt, x=x).fused,
        net(sources, task, t=t.flip(0), prompt_emb=prompt, x=x).fused,
        net(sources, task, t=t, prompt_emb=None, x=x).fused,
        net(sources, task, t=t, prompt_emb=prompt, x=x.flip(-1)).fused,
    ]
    for other in changed:
        assert not torch.allclose(out, other)
    assert net(sources, task, t=torch.tensor(0.5), x=x).fused.shape == (2, 1, 8, 8)


def test_a_few_steps_lower_an_l1_loss():
    torch.manual_seed(0)
    net = DiT(TINY, patch_size=2)
    sources, task = torch.rand(4, 2, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    target = sources.amax(1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    losses = []
    for _ in range(8):
        loss = (net(sources, task).fused - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
