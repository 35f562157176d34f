import pytest
import torch
import torch.nn as nn

from fusionbox.models import UNet
from fusionbox.registry import BACKBONES


def _randomise(net: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter (also the zero-initialised ones) a random value."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    return net


@pytest.mark.parametrize('n', [2, 3])
def test_shapes_for_any_number_of_sources(n):
    net = BACKBONES.build(dict(type='UNet', arch='unet-t'))
    out = net(torch.rand(2, n, 1, 16, 12), torch.tensor([0, 3])).fused
    assert out.shape == (2, 1, 16, 12)


def test_presets_and_custom_arch():
    counts = {a: sum(p.numel() for p in UNet(a).parameters()) for a in ('unet-t', 'unet-s')}
    assert counts['unet-t'] < counts['unet-s']
    custom = UNet(dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16))
    assert custom.size_divisor == 2
    assert custom(torch.rand(1, 2, 1, 6, 6), torch.tensor([1])).fused.shape == (1, 1, 6, 6)
    with pytest.raises(KeyError, match='unet-xl'):
        UNet('unet-xl')


def test_permutation_invariance_over_sources():
    torch.manual_seed(0)
    net = _randomise(UNet('unet-t'))
    sources = torch.rand(2, 3, 1, 8, 8)
    task = torch.tensor([1, 2])
    out = net(sources, task).fused
    out_perm = net(sources[:, [2, 0, 1]], task).fused
    assert out.abs().mean() > 1e-3
    torch.testing.assert_close(out, out_perm, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('base', ['mean', 'max', 'zero'])
def test_untrained_model_returns_its_base(base):
    sources = torch.rand(2, 3, 1, 8, 8)
    out = UNet('unet-t', base=base)(sources, torch.tensor([0, 1])).fused
    expected = {'mean': sources.mean(1), 'max': sources.amax(1), 'zero': torch.zeros(2, 1, 8, 8)}
    torch.testing.assert_close(out, expected[base])


def test_task_time_prompt_and_state_condition_the_output():
    net = _randomise(UNet('unet-t', state_channels=1, with_time=True, prompt_dim=5))
    sources, x = torch.rand(2, 2, 1, 8, 8), torch.rand(2, 1, 8, 8)
    t, prompt = torch.tensor([0.1, 0.9]), torch.randn(2, 5)
    out = net(sources, torch.tensor([0, 0]), t=t, prompt_emb=prompt, x=x).fused
    assert out.shape == (2, 1, 8, 8)
    changed = [
        net(sources, torch.tensor([1, 1]), t=t, prompt_emb=prompt, x=x).fused,
        net(sources, torch.tensor([0, 0]), t=t.flip(0), prompt_emb=prompt, x=x).fused,
        net(sources, torch.tensor([0, 0]), t=t, prompt_emb=None, x=x).fused,
        net(sources, torch.tensor([0, 0]), t=t, prompt_emb=prompt, x=x.flip(-1)).fused,
    ]
    for other in changed:
        assert not torch.allclose(out, other)
    assert net(sources, torch.tensor([0, 0]), t=torch.tensor(0.5), x=x).fused.shape == (2, 1, 8, 8)


def test_clear_errors():
    net = UNet('unet-t')
    sources, task = torch.rand(1, 2, 1, 8, 8), torch.tensor([0])
    with pytest.raises(ValueError, match='multiple of 4'):
        net(torch.rand(1, 2, 1, 6, 8), task)
    with pytest.raises(ValueError, match='with_time=False'):
        net(sources, task, t=torch.tensor([0.5]))
    with pytest.raises(ValueError, match='prompt_dim=None'):
        net(sources, task, prompt_emb=torch.randn(1, 4))
    with pytest.raises(ValueError, match='state_channels=0'):
        net(sources, task, x=torch.rand(1, 1, 8, 8))
    with pytest.raises(ValueError, match='out_channels'):
        UNet('unet-t', out_channels=3)


def test_loads_checkpoints_with_the_old_condition_keys():
    kwargs = dict(arch='unet-t', state_channels=1, with_time=True, prompt_dim=6, base='zero')
    net = _randomise(UNet(**kwargs))
    renames = {
        'cond.task.': 'task_embed.',
        'cond.time.': 'time_embed.',
        'cond.prompt.': 'prompt_embed.',
    }
    old = {}
    for key, value in net.state_dict().items():
        for new, before in renames.items():
            key = key.replace(new, before, 1) if key.startswith(new) else key
        old[key] = value
    assert 'task_embed.weight' in old and 'time_embed.0.weight' in old
    fresh = UNet(**kwargs)
    fresh.load_state_dict(old)  # strict: every old key is mapped, none left over
    args = (torch.rand(2, 2, 1, 8, 8), torch.tensor([0, 2]))
    extra = dict(t=torch.tensor([0.3, 0.7]), prompt_emb=torch.rand(2, 6), x=torch.rand(2, 1, 8, 8))
    assert torch.equal(fresh(*args, **extra).fused, net(*args, **extra).fused)
