"""Diffusion Transformer (DiT) over any number of source images.

Conventions (as in :mod:`.unet`): images (B, C, H, W) in [0, 1]; sources stacked (B, N, C, H, W);
time t in [0, 1] with t = 0 the sources and t = 1 the fused image. Sections follow DiT's
``models.py``: embeddings, blocks, final layer, the network with its size presets.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from fusionbox.models.layers import (
    AdaLNModulation,
    Attention,
    Mlp,
    SourceTokenizer,
    modulate,
    sincos_pos_embed_2d,
    unpatchify,
)
from fusionbox.registry import BACKBONES

from .base_backbone import BackboneOutput, BaseBackbone, base_image, check_base

# --- blocks --------------------------------------------------------------------------------------


def _layer_norm(dim: int) -> nn.LayerNorm:
    return nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)


class DiTBlock(nn.Module):
    """Transformer block with adaLN-Zero: ``x + gate * f(norm(x) * (1 + scale) + shift)``."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.norm1, self.norm2 = _layer_norm(dim), _layer_norm(dim)
        self.attn = Attention(dim, num_heads)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.adaLN = AdaLNModulation(dim, 6)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shift1, scale1, gate1, shift2, scale2, gate2 = self.adaLN(c).unbind(1)  # each (B, D)
        x = x + gate1[:, None] * self.attn(modulate(self.norm1(x), shift1, scale1))[0]
        return x + gate2[:, None] * self.mlp(modulate(self.norm2(x), shift2, scale2))  # (B, T, D)


# --- final layer ---------------------------------------------------------------------------------


class FinalLayer(nn.Module):
    """adaLN-modulated norm and a linear map of each token to its p x p x C_out patch."""

    def __init__(self, dim: int, patch_size: int, out_channels: int) -> None:
        super().__init__()
        self.norm = _layer_norm(dim)
        self.adaLN = AdaLNModulation(dim, 2)
        self.linear = nn.Linear(dim, patch_size * patch_size * out_channels)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shift, scale = self.adaLN(c).unbind(1)
        return self.linear(modulate(self.norm(x), shift, scale))  # (B, T, p * p * C_out)


# --- networks ------------------------------------------------------------------------------------


class DiTBase(BaseBackbone):
    """What :class:`DiT` and ``MoEDiT`` share: inputs, condition, tokens, final layer, init.

    A subclass defines :attr:`arch_zoo`, builds ``self.blocks``, implements
    :meth:`forward_blocks` and calls :meth:`_init_weights` at the end of its constructor.
    Arguments are those of :class:`DiT`.
    """

    arch_keys = ('depth', 'embed_dims', 'num_heads', 'mlp_ratio')

    def __init__(
        self,
        arch: str | dict,
        patch_size: int,
        in_channels: int,
        out_channels: int | None,
        state_channels: int,
        num_tasks: int | None,
        with_time: bool,
        prompt_dim: int | None,
        base: str,
    ) -> None:
        arch = self.resolve_arch(arch)
        out_channels = in_channels if out_channels is None else out_channels
        check_base(base, in_channels, out_channels)
        super().__init__(
            in_channels, out_channels, state_channels, with_time, prompt_dim, patch_size
        )
        self.arch = arch
        self.dim = arch['embed_dims']
        self.patch_size, self.base = patch_size, base
        self.build_condition(self.dim, num_tasks)
        self.tokenizer = SourceTokenizer(in_channels + state_channels, self.dim, patch_size)
        self.final_layer = FinalLayer(self.dim, patch_size, out_channels)

    def _init_weights(self) -> None:
        """The one place that initialises: xavier linears as DiT, then adaLN-Zero, zero output."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        w = self.tokenizer.proj.weight
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.zeros_(self.tokenizer.proj.bias)
        nn.init.normal_(self.cond.task.weight, std=0.02)
        for mlp in (self.cond.time, self.cond.prompt):
            if mlp is not None:
                nn.init.normal_(mlp[0].weight, std=0.02)
                nn.init.normal_(mlp[2].weight, std=0.02)
        for m in self.modules():
            if isinstance(m, AdaLNModulation):
                m.zero_init()  # adaLN-Zero: every gate is 0, so every block is the identity
        nn.init.zeros_(self.final_layer.linear.weight)
        nn.init.zeros_(self.final_layer.linear.bias)

    def position_embedding(self, grid: tuple[int, int], device: torch.device) -> torch.Tensor:
        """Fixed 2D sin-cos table (1, T, D) (DiT); any grid."""
        return sincos_pos_embed_2d(self.dim, grid, device)[None]

    def forward_blocks(
        self, tokens: torch.Tensor, c: torch.Tensor, grid: tuple[int, int]
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The transformer blocks: tokens (B, T, D) -> tokens and their auxiliary losses."""
        raise NotImplementedError

    def forward(
        self,
        sources: torch.Tensor,
        task: torch.Tensor,
        t: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
        x: torch.Tensor | None = None,
    ) -> BackboneOutput:
        """Fuse the sources.

        Args:
            sources (Tensor): (B, N, C, H, W), any N, H and W multiples of the patch size.
            task (Tensor): (B,) long task ids.
            t (Tensor | None): (B,) or scalar time in [0, 1]; needs ``with_time=True``.
            prompt_emb (Tensor | None): (B, D) prompt embedding; needs ``prompt_dim=D``.
            x (Tensor | None): (B, state_channels, H, W) state; required exactly when
                ``state_channels > 0``.

        Returns:
            BackboneOutput: ``fused`` (B, out_channels, H, W) and the auxiliary losses of
            :meth:`forward_blocks`.
        """
        self.check_inputs(sources, t, prompt_emb, x)
        c = self.cond(task, t, prompt_emb)  # (B, D)
        tokens, grid = self.tokenizer(sources, x)  # (B, T, D)
        tokens = tokens + self.position_embedding(grid, tokens.device).to(tokens.dtype)
        tokens, aux = self.forward_blocks(tokens, c, grid)  # (B, T, D), {name: loss}
        out = unpatchify(self.final_layer(tokens, c), grid, self.patch_size)  # (B, C_out, H, W)
        return BackboneOutput(self.base_image(sources) + out, aux)

    def base_image(self, sources: torch.Tensor) -> torch.Tensor | float:
        """What the untrained network returns (see :func:`~.base_backbone.base_image`)."""
        return base_image(sources, self.base)


@BACKBONES.register_module()
class DiT(DiTBase):
    """Diffusion Transformer fusing N sources (any N) into one image.

    The sources (each with the state ``x`` when ``state_channels > 0``) are patch-embedded with
    shared weights and pooled by mean and max over the sources into one token per patch
    (:class:`~fusionbox.models.layers.SourceTokenizer`, invariant to the order of the sources),
    plus a fixed 2D sin-cos position table. adaLN-Zero blocks are conditioned on
    ``c = task embedding [+ time] [+ prompt]``; a final adaLN layer maps each token back to its
    patch. The final linear is zero-initialised, so an untrained network returns its *base*
    (``'mean'``, ``'max'`` or ``'zero'``, as :class:`UNet`).

    Paper: Scalable Diffusion Models with Transformers (Peebles & Xie, ICCV 2023).
    Ref: https://github.com/facebookresearch/DiT (``models.py``).

    Args:
        arch (str | dict): A preset of :attr:`arch_zoo` or a dict with keys ``depth``,
            ``embed_dims``, ``num_heads``, ``mlp_ratio``. Defaults to 'dit-s'.
        patch_size (int): Patch side p (also the :attr:`size_divisor`). Defaults to 2.
        in_channels (int): Channels C of each source. Defaults to 1 (luma).
        out_channels (int | None): Output channels; None means ``in_channels``. Defaults to None.
        state_channels (int): Channels of the optional state ``x`` (0: none). Defaults to 0.
        num_tasks (int | None): Rows of the task embedding; None: every registered task.
            Defaults to None.
        with_time (bool): Build the time embedding (``t`` is then accepted). Defaults to False.
        prompt_dim (int | None): Width of an optional prompt embedding. Defaults to None.
        base (str): What an untrained network returns. Defaults to 'mean'.
    """

    #: Size presets; dit-s, -b, -l, -xl are those of the paper (DiT-S/B/L/XL), dit-t a CPU size.
    arch_zoo = {
        'dit-t': dict(depth=4, embed_dims=128, num_heads=4, mlp_ratio=4.0),
        'dit-s': dict(depth=12, embed_dims=384, num_heads=6, mlp_ratio=4.0),
        'dit-b': dict(depth=12, embed_dims=768, num_heads=12, mlp_ratio=4.0),
        'dit-l': dict(depth=24, embed_dims=1024, num_heads=16, mlp_ratio=4.0),
        'dit-xl': dict(depth=28, embed_dims=1152, num_heads=16, mlp_ratio=4.0),
    }

    def __init__(
        self,
        arch: str | dict = 'dit-s',
        patch_size: int = 2,
        in_channels: int = 1,
        out_channels: int | None = None,
        state_channels: int = 0,
        num_tasks: int | None = None,
        with_time: bool = False,
        prompt_dim: int | None = None,
        base: str = 'mean',
    ) -> None:
        super().__init__(
            arch, patch_size, in_channels, out_channels, state_channels, num_tasks, with_time,
            prompt_dim, base,
        )  # fmt: skip
        a = self.arch
        self.blocks = nn.ModuleList(
            DiTBlock(self.dim, a['num_heads'], a['mlp_ratio']) for _ in range(a['depth'])
        )
        self._init_weights()

    def forward_blocks(
        self, tokens: torch.Tensor, c: torch.Tensor, grid: tuple[int, int]
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        for block in self.blocks:
            tokens = block(tokens, c)  # (B, T, D)
        return tokens, {}
