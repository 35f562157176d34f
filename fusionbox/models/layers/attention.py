"""Multi-head self-attention with optional 2D rotary position embedding and value residual.

Paper: RoFormer: Enhanced Transformer with Rotary Position Embedding (Su et al., 2021); the 2D
    (axial) form of Rotary Position Embedding for Vision Transformer (Heo et al., ECCV 2024).
Paper: Value Residual Learning For Alleviating Attention Concentration In Transformers
    (Zhou et al., 2024, ResFormer).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def rope_2d(
    head_dim: int, grid: tuple[int, int], base: float = 100.0, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosines and sines (T, head_dim / 2) of axial 2D RoPE on a (gh, gw) token grid (row-major).

    The first quarter of the rotated pairs turns with the row index, the second with the column
    index, with frequencies ``base ** (-j / (head_dim / 4))``.
    """
    if head_dim % 4:
        raise ValueError(f'2D RoPE needs a head dimension divisible by 4, got {head_dim}')
    gh, gw = grid
    freqs = base ** (-torch.arange(head_dim // 4, device=device) / (head_dim // 4))  # (hd/4,)
    rows = torch.arange(gh, device=device).repeat_interleave(gw)  # (T,)
    cols = torch.arange(gw, device=device).repeat(gh)  # (T,)
    angles = torch.cat([rows[:, None] * freqs, cols[:, None] * freqs], dim=-1)  # (T, hd/2)
    return angles.cos(), angles.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate the pairs (x_i, x_{i + hd/2}) of x (..., T, hd) by the angles of :func:`rope_2d`."""
    x1, x2 = x.chunk(2, dim=-1)  # (..., T, hd/2)
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Attention(nn.Module):
    """Multi-head self-attention (``F.scaled_dot_product_attention``).

    With ``value_residual=True`` the values are mixed with those of the first layer,
    ``V = (1 - lambda) * V_l + lambda * V_1``, by a learned scalar lambda (initialised to 0.5);
    lambda = 0 gives plain attention.

    Args:
        dim (int): Token width D.
        num_heads (int): Heads; D must be divisible by it.
        qkv_bias (bool): Bias of the query/key/value projection. Defaults to True.
        value_residual (bool): Build the learned lambda and accept ``v_first``. Defaults to False.
    """

    def __init__(
        self, dim: int, num_heads: int, qkv_bias: bool = True, value_residual: bool = False
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'width {dim} is not divisible by num_heads={num_heads}')
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.value_lambda = nn.Parameter(torch.tensor(0.5)) if value_residual else None

    def forward(
        self,
        x: torch.Tensor,
        rope: tuple[torch.Tensor, torch.Tensor] | None = None,
        v_first: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend.

        Args:
            x (Tensor): (B, T, D) tokens.
            rope (tuple | None): (cos, sin) of :func:`rope_2d` applied to queries and keys.
            v_first (Tensor | None): (B, heads, T, hd) values of the first layer to mix in
                (needs ``value_residual=True``; None in the first layer).

        Returns:
            tuple: output (B, T, D) and this layer's unmixed values (B, heads, T, hd).
        """
        b, t, d = x.shape
        qkv = self.qkv(x).view(b, t, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, heads, T, hd)
        if rope is not None:
            q, k = apply_rope(q, *rope), apply_rope(k, *rope)
        v_mixed = v
        if v_first is not None:
            if self.value_lambda is None:
                raise ValueError('Attention got v_first but was built with value_residual=False')
            v_mixed = v + self.value_lambda * (v_first - v)
        out = F.scaled_dot_product_attention(q, k, v_mixed)  # (B, heads, T, hd)
        return self.proj(out.transpose(1, 2).reshape(b, t, d)), v
