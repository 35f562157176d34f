"""MoE-DiT: the Diffusion Transformer of MMAIF with its modifications, each switchable.

Conventions as in :mod:`.dit` (t = 0 the sources, t = 1 the fused image). Sections: block,
network with its size presets.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from fusionbox.models.layers import (
    GLU,
    AdaLNModulation,
    Attention,
    LearnedPosEmbed,
    MoEGLU,
    NAFConvBlock,
    modulate,
    rope_2d,
)
from fusionbox.registry import BACKBONES

from .dit import DiT, DiTBase, _layer_norm

# --- block ---------------------------------------------------------------------------------------


class MoEDiTBlock(nn.Module):
    """Block of up to three branches ``conv`` (NAF), ``attn``, ``ffn`` (GLU or MoE-GLU).

    Each branch is ``x + [gate *] f(norm(x) * (1 + scale) + shift)`` with shift, scale (and gate)
    from the block's adaLN (low-rank on top of a shared modulation when ``lora_rank > 0``).
    Arguments as in :class:`MoEDiT`; ``value_residual`` is False for the first block.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mlp_ratio: float,
        naf_block: bool,
        lora_rank: int,
        value_residual: bool,
        moe: bool,
        num_experts: int,
        top_k: int,
        shared_expert: bool,
        gated_residual: bool,
    ) -> None:
        super().__init__()
        self.branches = (('conv',) if naf_block else ()) + ('attn', 'ffn')
        self.gated = gated_residual
        self.norms = nn.ModuleList(_layer_norm(dim) for _ in self.branches)
        self.naf = NAFConvBlock(dim) if naf_block else None
        self.attn = Attention(dim, num_heads, value_residual=value_residual)
        hidden = int(2 / 3 * mlp_ratio * dim)  # SwiGLU with as many parameters as the mlp_ratio MLP
        if moe:  # fine-grained experts: active width ~ the dense GLU's
            width = max(1, hidden // (top_k + int(shared_expert)))
            self.ffn = MoEGLU(dim, width, num_experts, top_k, shared_expert)
        else:
            self.ffn = GLU(dim, hidden)
        self.adaLN = AdaLNModulation(
            dim, len(self.branches) * (3 if gated_residual else 2), lora_rank
        )

    def forward(
        self,
        x: torch.Tensor,
        c: torch.Tensor,
        grid: tuple[int, int],
        rope: tuple[torch.Tensor, torch.Tensor] | None = None,
        v_first: torch.Tensor | None = None,
        shared_mod: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(B, T, D) -> (B, T, D), the attention values (for the value residual) and the MoE
        balance loss (None for a dense GLU)."""
        mods = iter(self.adaLN(c, shared_mod).unbind(1))  # each (B, D)
        v = balance = None
        for norm, name in zip(self.norms, self.branches):
            shift, scale = next(mods), next(mods)
            h = modulate(norm(x), shift, scale)  # (B, T, D)
            if name == 'conv':
                img = h.transpose(1, 2).unflatten(2, grid)  # (B, D, gh, gw)
                h = self.naf(img).flatten(2).transpose(1, 2)  # (B, T, D)
            elif name == 'attn':
                h, v = self.attn(h, rope, v_first)
            elif isinstance(self.ffn, MoEGLU):
                h, balance = self.ffn(h)
            else:
                h = self.ffn(h)
            x = x + (next(mods)[:, None] * h if self.gated else h)
        return x, v, balance


# --- network -------------------------------------------------------------------------------------


@BACKBONES.register_module()
class MoEDiT(DiTBase):
    """DiT with MMAIF's modifications, each behind a constructor flag for ablations.

    Inputs, source tokens (shared patch embedding, mean + max pooling over the N sources),
    conditioning (task [+ time] [+ prompt]), final layer and zero-initialised output (an
    untrained network returns its ``base``) are those of :class:`DiT`. The modifications:

    * ``naf_block``: a NAFNet conv branch (SimpleGate, simplified channel attention) before
      attention, on the tokens laid out as an image;
    * ``lora_rank > 0``: LoRA-style adaLN, one full-rank modulation shared by all blocks plus a
      rank-r correction per block (0: a full-rank adaLN per block, as DiT);
    * ``value_residual``: attention values mixed with the first block's by a learned lambda;
    * ``moe``: a mixture of SwiGLU experts (``num_experts`` routed, top ``top_k`` per token, plus a
      shared expert) with the load-balancing loss among the output's ``aux_losses`` (else a
      dense SwiGLU);
    * ``rope``: 2D rotary position embedding of queries and keys (no parameters);
    * ``learned_pos``: a learned position table for an ``input_size`` input, bicubically resized
      for other sizes (else DiT's fixed sin-cos table);
    * ``gated_residual``: residual adds gated by the adaLN (adaLN-Zero); without it, plain adds
      whose branch output layers are zero-initialised instead (blocks still start as identity).

    Paper: MMAIF: Multi-task and Multi-degradation All-in-One for Image Fusion with Language
        Guidance (Cao et al., ICCV 2025).
    Ref: DiT (Peebles & Xie, 2023); NAFNet (Chen et al., 2022); LoRA (Hu et al., 2022);
        ResFormer (Zhou et al., 2024); Switch Transformers (Fedus et al., 2022); DeepSeekMoE
        (Dai et al., 2024); RoPE-Mixed/axial 2D RoPE (Heo et al., 2024).

    Args:
        arch (str | dict): A preset of :attr:`arch_zoo` or a dict as for :class:`DiT`.
            Defaults to 'moe-dit-s'.
        patch_size, in_channels, out_channels, state_channels, num_tasks, with_time, prompt_dim,
            base: As for :class:`DiT`.
        input_size (int): Input side the learned position table is built for (its grid is
            ``input_size // patch_size``). Defaults to 32.
        naf_block (bool): Defaults to True.
        lora_rank (int): Rank of the per-block adaLN (0: full rank). Defaults to 32.
        value_residual (bool): Defaults to True.
        moe (bool): Defaults to True.
        num_experts (int): Routed experts. Defaults to 4.
        top_k (int): Routed experts per token. Defaults to 2.
        shared_expert (bool): Defaults to True.
        moe_loss_weight (float): Weight of the balance loss ``loss_moe_balance`` among the
            auxiliary losses of the output.
            Defaults to 0.01.
        rope (bool): Defaults to True.
        learned_pos (bool): Defaults to True.
        gated_residual (bool): Defaults to True.
    """

    #: Size presets: DiT's dit-t / dit-s / dit-b widths, defined once in :class:`DiT`.
    arch_zoo = {f'moe-{name}': DiT.arch_zoo[name] for name in ('dit-t', 'dit-s', 'dit-b')}

    def __init__(
        self,
        arch: str | dict = 'moe-dit-s',
        patch_size: int = 2,
        in_channels: int = 1,
        out_channels: int | None = None,
        state_channels: int = 0,
        num_tasks: int | None = None,
        with_time: bool = False,
        prompt_dim: int | None = None,
        base: str = 'mean',
        input_size: int = 32,
        naf_block: bool = True,
        lora_rank: int = 32,
        value_residual: bool = True,
        moe: bool = True,
        num_experts: int = 4,
        top_k: int = 2,
        shared_expert: bool = True,
        moe_loss_weight: float = 0.01,
        rope: bool = True,
        learned_pos: bool = True,
        gated_residual: bool = True,
    ) -> None:
        super().__init__(
            arch, patch_size, in_channels, out_channels, state_channels, num_tasks, with_time,
            prompt_dim, base,
        )  # fmt: skip
        a, dim = self.arch, self.dim
        if lora_rank < 0:
            raise ValueError(f'lora_rank must be >= 0, got {lora_rank}')
        if rope and (dim // a['num_heads']) % 4:
            raise ValueError(f'rope=True needs a head dimension divisible by 4 (width {dim})')
        self.head_dim = dim // a['num_heads']
        self.value_residual, self.moe, self.rope = value_residual, moe, rope
        self.gated_residual, self.moe_loss_weight = gated_residual, moe_loss_weight
        num_mod = (3 if naf_block else 2) * (3 if gated_residual else 2)
        self.shared_modulation = AdaLNModulation(dim, num_mod) if lora_rank else None
        self.pos_embed = LearnedPosEmbed(dim, input_size // patch_size) if learned_pos else None
        self.blocks = nn.ModuleList(
            MoEDiTBlock(
                dim,
                a['num_heads'],
                a['mlp_ratio'],
                naf_block,
                lora_rank,
                value_residual and i > 0,
                moe,
                num_experts,
                top_k,
                shared_expert,
                gated_residual,
            )  # fmt: skip
            for i in range(a['depth'])
        )
        self._init_weights()

    def _init_weights(self) -> None:
        """DiT's init (adaLN-Zero); without gates, zero the branch outputs instead."""
        super()._init_weights()
        if self.gated_residual:
            return
        for block in self.blocks:
            ffn = block.ffn
            outs = [block.attn.proj.weight, block.attn.proj.bias]
            if block.naf is not None:
                outs += [block.naf.conv3.weight, block.naf.conv3.bias]
            outs += [ffn.fc2.weight, ffn.fc2.bias] if isinstance(ffn, GLU) else [ffn.w_out]
            if isinstance(ffn, MoEGLU) and ffn.shared is not None:
                outs += [ffn.shared.fc2.weight, ffn.shared.fc2.bias]
            for p in outs:
                nn.init.zeros_(p)

    def position_embedding(self, grid: tuple[int, int], device: torch.device) -> torch.Tensor:
        """Learned table (1, T, D), resized to the grid (or DiT's sin-cos table)."""
        if self.pos_embed is None:
            return super().position_embedding(grid, device)
        return self.pos_embed(grid)

    def forward_blocks(
        self, tokens: torch.Tensor, c: torch.Tensor, grid: tuple[int, int]
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The blocks; ``{'loss_moe_balance': weight * mean balance loss over the blocks}``."""
        rope = None
        if self.rope:
            rope = tuple(r.to(tokens.dtype) for r in rope_2d(self.head_dim, grid, device=c.device))
        shared = None if self.shared_modulation is None else self.shared_modulation(c)  # (B, K, D)
        v_first, balance = None, []
        for block in self.blocks:
            tokens, v, block_balance = block(tokens, c, grid, rope, v_first, shared)  # (B, T, D)
            if self.value_residual and v_first is None:
                v_first = v  # (B, heads, T, hd) of the first block
            if block_balance is not None:
                balance.append(block_balance)
        if not balance:
            return tokens, {}
        return tokens, {'loss_moe_balance': self.moe_loss_weight * torch.stack(balance).mean()}
