"""Adaptive layer norm modulation (adaLN) for transformer blocks conditioned on a vector.

Paper: Scalable Diffusion Models with Transformers (Peebles & Xie, ICCV 2023), adaLN-Zero.
Ref: LoRA (Hu et al., 2022) for the low-rank variant; PixArt-alpha's adaLN-single (Chen et al.,
    2024) for the modulation shared by all blocks that the low-rank term corrects.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """``x * (1 + scale) + shift`` with x (B, T, D) and shift, scale (B, D)."""
    return x * (1 + scale[:, None]) + shift[:, None]  # (B, T, D)


class AdaLNModulation(nn.Module):
    """Map the condition c (B, D) to ``num_chunks`` modulation vectors (B, num_chunks, D).

    Full rank (``rank=0``): ``Linear(SiLU(c))`` with D x (num_chunks * D) weights, as in DiT.
    Low rank (``rank=r``): ``Linear_up(Linear_down(SiLU(c)))`` through an r-dimensional bottleneck,
    added to a full-rank modulation ``shared`` computed once for all blocks (LoRA-style AdaLN).
    The last linear is zero-initialised by :meth:`zero_init` (adaLN-Zero).

    Args:
        dim (int): Width D of the condition and of the modulated features.
        num_chunks (int): Number of modulation vectors (e.g. shift, scale, gate per branch).
        rank (int): Bottleneck rank; 0 means full rank. Defaults to 0.
    """

    def __init__(self, dim: int, num_chunks: int, rank: int = 0) -> None:
        super().__init__()
        self.dim, self.num_chunks, self.rank = dim, num_chunks, rank
        self.down = nn.Linear(dim, rank, bias=False) if rank else None
        self.up = nn.Linear(rank or dim, num_chunks * dim)

    def zero_init(self) -> None:
        """adaLN-Zero: the modulation (and so every gate) starts at zero."""
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, c: torch.Tensor, shared: torch.Tensor | None = None) -> torch.Tensor:
        """(B, D) [+ shared (B, num_chunks, D)] -> (B, num_chunks, D)."""
        h = F.silu(c)
        if self.down is not None:
            h = self.down(h)  # (B, r)
        mod = self.up(h).unflatten(-1, (self.num_chunks, self.dim))  # (B, K, D)
        return mod if shared is None else mod + shared
