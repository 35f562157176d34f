import pytest
import torch

from fusionbox.models.backbones import MoEDiT
from fusionbox.models.layers import (
    Attention,
    MoEGLU,
    NAFConvBlock,
    SourceTokenizer,
    apply_rope,
    load_balance_loss,
    rope_2d,
    unpatchify,
)


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one thread avoids oversubscribing the shared CPU cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_rope_scores_depend_only_on_relative_positions():
    torch.manual_seed(0)
    grid, hd = (3, 4), 8
    cos, sin = rope_2d(hd, grid)
    t = grid[0] * grid[1]
    q = apply_rope(torch.randn(hd).expand(t, hd), cos, sin)  # same content at every position
    k = apply_rope(torch.randn(hd).expand(t, hd), cos, sin)
    scores = q @ k.T  # (T, T)
    pos = [(i // grid[1], i % grid[1]) for i in range(t)]
    by_offset = {}
    for i in range(t):
        for j in range(t):
            offset = (pos[i][0] - pos[j][0], pos[i][1] - pos[j][1])
            by_offset.setdefault(offset, []).append(scores[i, j])
    for values in by_offset.values():
        torch.testing.assert_close(torch.stack(values), values[0].expand(len(values)))
    firsts = torch.stack([v[0] for v in by_offset.values()])
    assert firsts.std() > 1e-2  # and they do depend on the offset
    with pytest.raises(ValueError, match='divisible by 4'):
        rope_2d(6, grid)


def test_value_residual_with_lambda_zero_is_plain_attention():
    torch.manual_seed(0)
    attn = Attention(16, 2, value_residual=True)
    x, v_first = torch.randn(2, 5, 16), torch.randn(2, 2, 5, 8)
    plain, v = attn(x)
    assert v.shape == (2, 2, 5, 8)
    with torch.no_grad():
        attn.value_lambda.zero_()
    torch.testing.assert_close(attn(x, v_first=v_first)[0], plain)
    with torch.no_grad():
        attn.value_lambda.fill_(0.5)
    assert not torch.allclose(attn(x, v_first=v_first)[0], plain)
    with pytest.raises(ValueError, match='value_residual=False'):
        Attention(16, 2)(x, v_first=v_first)


def test_top_k_routing_uses_exactly_k_experts_and_dispatch_matches_a_dense_loop():
    torch.manual_seed(0)
    moe = MoEGLU(16, 8, num_experts=4, top_k=2, shared_expert=True)
    x = torch.randn(3, 7, 16)
    probs, weights, idx = moe.route(x.reshape(-1, 16))
    assert idx.shape == (21, 2)
    gates = torch.zeros(21, 4).scatter(1, idx, weights)  # (T, E)
    assert ((gates > 0).sum(1) == 2).all()  # exactly k distinct routed experts per token
    flat = x.reshape(-1, 16)
    dense = moe.shared(flat) + sum(gates[:, e : e + 1] * moe.expert(e, flat) for e in range(4))
    out, balance = moe(x)
    torch.testing.assert_close(out, dense.view_as(x))
    assert balance.dim() == 0 and not hasattr(moe, 'balance_loss')


def test_balance_loss_is_one_for_a_uniform_router_and_larger_when_collapsed():
    e, k, t = 4, 2, 32
    uniform = torch.full((t, e), 1 / e)
    torch.testing.assert_close(load_balance_loss(uniform, uniform.topk(k)[1], e), torch.tensor(1.0))
    collapsed = torch.tensor([0.97, 0.01, 0.01, 0.01]).expand(t, e)
    assert load_balance_loss(collapsed, collapsed.topk(k)[1], e) > 1.5
    # through the model: a zero router is uniform, so the aux loss is weight * 1.0
    net = MoEDiT(dict(depth=2, embed_dims=32, num_heads=2, mlp_ratio=2.0), moe_loss_weight=0.1)
    for block in net.blocks:
        torch.nn.init.zeros_(block.ffn.router.weight)
    aux = net(torch.rand(2, 2, 1, 8, 8), torch.tensor([0, 1])).aux_losses
    torch.testing.assert_close(aux['loss_moe_balance'], torch.tensor(0.1))
    # and a router collapsed onto expert 0 (positive tokens, positive weights) scores more
    moe = MoEGLU(8, 4, num_experts=4, top_k=1)
    with torch.no_grad():
        moe.router.weight.copy_(torch.tensor([[1.0] * 8] + [[-1.0] * 8] * 3))
    assert moe(torch.rand(1, 16, 8) + 0.1)[1] > 3.0


def test_naf_block_tokenizer_and_unpatchify_shapes():
    assert NAFConvBlock(8)(torch.randn(2, 8, 5, 3)).shape == (2, 8, 5, 3)
    tokens, grid = SourceTokenizer(2, 8, 2)(torch.rand(2, 3, 1, 6, 4), torch.rand(2, 1, 6, 4))
    assert tokens.shape == (2, 6, 8) and grid == (3, 2)
    img = torch.rand(2, 3, 6, 4)
    patches = img.unfold(2, 2, 2).unfold(3, 2, 2)  # (B, C, gh, gw, p, p)
    tokens = patches.permute(0, 2, 3, 4, 5, 1).reshape(2, 6, 12)  # (B, T, p * p * C)
    torch.testing.assert_close(unpatchify(tokens, (3, 2), 2), img)
