"""Feed-forward layers: the DiT MLP, a gated linear unit and a mixture of GLU experts.

Paper: GLU Variants Improve Transformer (Shazeer, 2020) for the SwiGLU feed-forward.
Paper: Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer (Shazeer et
    al., ICLR 2017); Switch Transformers (Fedus, Zoph & Shazeer, JMLR 2022) for the top-k router
    and the load-balancing loss; DeepSeekMoE (Dai et al., 2024) for the shared expert.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    """``Linear -> GELU(tanh) -> Linear``, the feed-forward of ViT and DiT."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate='tanh'))


class GLU(nn.Module):
    """SwiGLU feed-forward ``fc2(SiLU(a) * b)`` with ``(a, b) = fc1(x)``."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, 2 * hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.fc1(x).chunk(2, dim=-1)
        return self.fc2(F.silu(a) * b)


def load_balance_loss(probs: torch.Tensor, idx: torch.Tensor, num_experts: int) -> torch.Tensor:
    """Switch-style balance loss ``E * sum_i f_i * P_i``.

    ``f_i`` is the fraction of the T * k routing slots sent to expert i and ``P_i`` the mean
    router probability of expert i. It equals 1 for a uniform router and approaches E / k for a
    router collapsed onto k experts.

    Args:
        probs (Tensor): (T, E) router probabilities.
        idx (Tensor): (T, k) chosen experts.
        num_experts (int): E.
    """
    counts = torch.bincount(idx.flatten(), minlength=num_experts).to(probs.dtype)  # (E,)
    frac = counts / idx.numel()
    return num_experts * (frac * probs.mean(0)).sum()


class MoEGLU(nn.Module):
    """Mixture of SwiGLU experts: top-k routed experts plus an always-on shared expert.

    Each token goes to the k experts of highest router probability, weighted by those
    probabilities (not renormalised, as in Switch/GShard); the shared expert sees every token.
    Dispatch is vectorised per expert (gather the expert's tokens, one matmul, ``index_add_``).
    ``forward`` returns the output with the :func:`load_balance_loss` of its routing (nothing is
    kept on the module).

    Args:
        dim (int): Token width D.
        hidden (int): Hidden width of each expert (and of the shared expert).
        num_experts (int): Routed experts E. Defaults to 4.
        top_k (int): Experts per token k (1 <= k <= E). Defaults to 2.
        shared_expert (bool): Add the shared expert. Defaults to True.
    """

    def __init__(
        self,
        dim: int,
        hidden: int,
        num_experts: int = 4,
        top_k: int = 2,
        shared_expert: bool = True,
    ) -> None:
        super().__init__()
        if not 1 <= top_k <= num_experts:
            raise ValueError(f'top_k must be in [1, num_experts={num_experts}], got {top_k}')
        self.num_experts, self.top_k = num_experts, top_k
        self.router = nn.Linear(dim, num_experts, bias=False)
        self.w_in = nn.Parameter(torch.empty(num_experts, dim, 2 * hidden))
        self.w_out = nn.Parameter(torch.empty(num_experts, hidden, dim))
        self.shared = GLU(dim, hidden) if shared_expert else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Expert weights uniform with the bounds of ``nn.Linear`` (fan-in)."""
        nn.init.uniform_(
            self.w_in, -1 / math.sqrt(self.w_in.shape[1]), 1 / math.sqrt(self.w_in.shape[1])
        )
        nn.init.uniform_(
            self.w_out, -1 / math.sqrt(self.w_out.shape[1]), 1 / math.sqrt(self.w_out.shape[1])
        )

    def route(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Router probabilities (T, E), weights (T, k) and experts (T, k) of tokens x (T, D)."""
        probs = self.router(x).float().softmax(dim=-1)  # (T, E)
        weights, idx = probs.topk(self.top_k, dim=-1)  # (T, k)
        return probs, weights, idx

    def expert(self, e: int, x: torch.Tensor) -> torch.Tensor:
        """Expert e on tokens x (T_e, D) -> (T_e, D)."""
        a, b = (x @ self.w_in[e]).chunk(2, dim=-1)  # (T_e, hidden)
        return (F.silu(a) * b) @ self.w_out[e]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, D) -> (B, T, D) and the balance loss (a scalar) of the routing."""
        flat = x.reshape(-1, x.shape[-1])  # (B*T, D)
        probs, weights, idx = self.route(flat)
        weights = weights.to(flat.dtype)
        out = torch.zeros_like(flat)
        for e in range(self.num_experts):  # loop over experts, never over tokens
            tok, slot = (idx == e).nonzero(as_tuple=True)  # (T_e,) tokens routed to e
            y = self.expert(e, flat[tok]) * weights[tok, slot, None]  # (T_e, D)
            out.index_add_(0, tok, y.to(out.dtype))  # dtypes differ under autocast
        if self.shared is not None:
            out = out + self.shared(flat)
        return out.view_as(x), load_balance_loss(probs, idx, self.num_experts)
