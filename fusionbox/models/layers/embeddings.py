"""Token embeddings of N source images, 2D position embeddings and the inverse patchify.

Ref: DiT (Peebles & Xie, ICCV 2023) and MAE (He et al., CVPR 2022) for the patch embedding and
    the fixed 2D sin-cos position table.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def sincos_pos_embed_2d(
    dim: int, grid: tuple[int, int], device: torch.device | None = None
) -> torch.Tensor:
    """Fixed 2D sin-cos position table (T, dim) of a (gh, gw) grid, row-major; dim % 4 == 0."""
    if dim % 4:
        raise ValueError(f'2D sin-cos position embedding needs dim divisible by 4, got {dim}')
    gh, gw = grid
    omega = 1.0 / 10000 ** (torch.arange(dim // 4, device=device, dtype=torch.float32) / (dim / 4))
    rows = torch.arange(gh, device=device, dtype=torch.float32).repeat_interleave(gw)  # (T,)
    cols = torch.arange(gw, device=device, dtype=torch.float32).repeat(gh)  # (T,)
    out = [
        torch.cat([(p[:, None] * omega).sin(), (p[:, None] * omega).cos()], -1)
        for p in (rows, cols)
    ]
    return torch.cat(out, dim=-1)  # (T, dim)


class LearnedPosEmbed(nn.Module):
    """Learned position table built for a (g, g) grid, initialised to the 2D sin-cos table.

    A different token grid gets the table resized by bicubic interpolation.

    Args:
        dim (int): Token width D.
        grid_size (int): Side g of the grid the table is built for.
    """

    def __init__(self, dim: int, grid_size: int) -> None:
        super().__init__()
        self.grid_size = grid_size
        table = sincos_pos_embed_2d(dim, (grid_size, grid_size))  # (g*g, D)
        self.weight = nn.Parameter(table.T.reshape(1, dim, grid_size, grid_size))

    def forward(self, grid: tuple[int, int]) -> torch.Tensor:
        """The table (1, gh * gw, D) for a (gh, gw) grid."""
        table = self.weight
        if tuple(grid) != (self.grid_size, self.grid_size):
            table = F.interpolate(table, size=grid, mode='bicubic', align_corners=False)
        return table.flatten(2).transpose(1, 2)  # (1, T, D)


class SourceTokenizer(nn.Module):
    """Tokens of N sources (any N), invariant to their order.

    Each source (with the state ``x`` concatenated when given) is cut into p x p patches by a
    shared patch embedding and a shared token MLP; the per-source tokens are pooled by their mean
    and their max over the sources and projected back to D. Mean and max are symmetric functions
    of the sources, so permuting them does not change the tokens (Deep Sets, Zaheer et al., 2017).

    Args:
        in_channels (int): Channels of one source plus the state channels.
        dim (int): Token width D.
        patch_size (int): Patch side p.
    """

    def __init__(self, in_channels: int, dim: int, patch_size: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_channels, dim, patch_size, stride=patch_size)
        self.mix = nn.Linear(dim, dim)
        self.aggregate = nn.Linear(2 * dim, dim)

    def forward(
        self, sources: torch.Tensor, x: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, tuple[int, int]]:
        """(B, N, C, H, W) [+ state (B, Cs, H, W)] -> tokens (B, T, D) and the grid (gh, gw)."""
        b, n = sources.shape[:2]
        if x is not None:
            sources = torch.cat([sources, x[:, None].expand(-1, n, -1, -1, -1)], dim=2)
        tok = self.proj(sources.flatten(0, 1))  # (B*N, D, gh, gw)
        grid = (tok.shape[-2], tok.shape[-1])
        tok = tok.flatten(2).transpose(1, 2)  # (B*N, T, D)
        tok = (tok + self.mix(F.gelu(tok))).unflatten(0, (b, n))  # (B, N, T, D)
        return self.aggregate(torch.cat([tok.mean(1), tok.amax(1)], dim=-1)), grid  # (B, T, D)


def unpatchify(tokens: torch.Tensor, grid: tuple[int, int], patch_size: int) -> torch.Tensor:
    """(B, gh * gw, p * p * C) -> (B, C, gh * p, gw * p)."""
    b, _, d = tokens.shape
    p, (gh, gw) = patch_size, grid
    c = d // (p * p)
    x = tokens.reshape(b, gh, gw, p, p, c)
    return torch.einsum('bhwpqc->bchpwq', x).reshape(b, c, gh * p, gw * p)
