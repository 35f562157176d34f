"""The conditioning vector every FusionBox backbone computes: task, time and prompt.

``c = task_embedding(task) [+ MLP(sinusoid(t))] [+ MLP(prompt_emb)]`` (B, D), shared by the U-Net
and the (MoE-)DiT backbones, which then inject it their own way (scale-shift norms, adaLN).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding (B,) -> (B, dim) of a time in [0, 1] (scaled by 1000 as in DDPM/DiT).

    Ref: "Attention Is All You Need" (Vaswani et al., 2017) frequencies, as used by DDPM and DiT.
    """
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device) / half)
    args = 1000.0 * t.float()[:, None] * freqs[None]  # (B, half)
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    return F.pad(emb, (0, dim % 2))  # (B, dim)


def mlp(in_dim: int, dim: int) -> nn.Sequential:
    """Linear - SiLU - Linear."""
    return nn.Sequential(nn.Linear(in_dim, dim), nn.SiLU(), nn.Linear(dim, dim))


class ConditionEmbedding(nn.Module):
    """Condition c (B, D) = task embedding [+ time MLP(sinusoid(t))] [+ prompt MLP(prompt)].

    Args:
        dim (int): Width D of c.
        num_tasks (int): Rows of the task embedding.
        with_time (bool): Build the time MLP (``t`` is then accepted).
        prompt_dim (int | None): Width of the prompt embeddings, None for no prompt.
        freq_dim (int): Width of the sinusoidal time features. Defaults to 256 (DiT).
    """

    def __init__(
        self, dim: int, num_tasks: int, with_time: bool, prompt_dim: int | None, freq_dim: int = 256
    ) -> None:
        super().__init__()
        self.freq_dim = freq_dim
        self.task = nn.Embedding(num_tasks, dim)
        self.time = mlp(freq_dim, dim) if with_time else None
        self.prompt = mlp(prompt_dim, dim) if prompt_dim else None

    @property
    def with_time(self) -> bool:
        return self.time is not None

    def forward(
        self, task: torch.Tensor, t: torch.Tensor | None, prompt_emb: torch.Tensor | None
    ) -> torch.Tensor:
        c = self.task(task)  # (B, D)
        if t is not None:
            if self.time is None:
                raise ValueError('the backbone got a time t but was built with with_time=False')
            t = t.expand(task.shape[0]) if t.dim() == 0 else t
            c = c + self.time(timestep_embedding(t, self.freq_dim).to(c.dtype))
        if prompt_emb is not None:
            if self.prompt is None:
                raise ValueError(
                    'the backbone got a prompt embedding but was built with prompt_dim=None'
                )
            c = c + self.prompt(prompt_emb)
        return c
