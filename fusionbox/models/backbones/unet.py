"""A light conditional U-Net over any number of source images.

Conventions (stated once): images are (B, C, H, W) in [0, 1]; sources are stacked as
(B, N, C, H, W) in model order; the time ``t`` is in [0, 1] with t = 0 the sources and t = 1 the
fused image (the flow-matching convention of FusionBox).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from fusionbox.registry import AUTOENCODERS, BACKBONES

from .base_backbone import BackboneOutput, BaseBackbone, base_image, check_base
from .gated_head import SourceGatedHead

# --- helpers --------------------------------------------------------------------------------------


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(channels, 8), channels, affine=False)


# --- blocks --------------------------------------------------------------------------------------


class ResBlock(nn.Module):
    """Residual block conditioned by adaptive group norm: ``norm(h) * (1 + scale) + shift``.

    Ref: the scale-shift norm of "Improved DDPM" / guided-diffusion (Nichol & Dhariwal, 2021).
    """

    def __init__(self, in_ch: int, out_ch: int, emb_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm1 = _norm(in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.norm2 = _norm(out_ch)
        self.modulation = nn.Linear(emb_dim, 2 * out_ch)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.modulation(F.silu(emb))[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift  # (B, out_ch, H, W)
        h = self.conv2(self.dropout(F.silu(h)))
        return self.skip(x) + h


class Downsample(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode='nearest'))


# --- network -------------------------------------------------------------------------------------


_OLD_CONDITION_KEYS = {'task_embed.': 'cond.task.', 'time_embed.': 'cond.time.',
                       'prompt_embed.': 'cond.prompt.'}  # fmt: skip


def _rename_old_condition_keys(state_dict, prefix, *args, **kwargs) -> None:
    """Load checkpoints written before the U-Net shared :class:`ConditionEmbedding` (its
    ``task_embed`` / ``time_embed`` / ``prompt_embed`` are now ``cond.task`` / ``.time`` /
    ``.prompt``; same tensors)."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        for old, new in _OLD_CONDITION_KEYS.items():
            if key.startswith(prefix + old):
                state_dict[prefix + new + key[len(prefix + old) :]] = state_dict.pop(key)


@BACKBONES.register_module()
class UNet(BaseBackbone):
    """Light conditional U-Net fusing N sources (any N) into one image.

    Each source (concatenated with the current state ``x`` when ``state_channels > 0``) goes
    through a shared stem encoder; the per-source features are aggregated by their mean and max
    over the sources (so the output does not depend on the order of the sources) and fed to a
    U-Net whose residual blocks are conditioned on ``emb = task embedding [+ time] [+ prompt]``
    by adaptive group norm.

    The output is ``base + head(features)`` with the head's last convolution zero-initialised, so
    an untrained network returns its *base*: ``'mean'`` the mean of the sources (a sensible fused
    image for regression), ``'max'`` their elementwise maximum, ``'zero'`` zeros (for a velocity or
    residual prediction, e.g. flow matching). With ``head='gated'`` the output is instead a
    :class:`~.gated_head.SourceGatedHead`: per-position softmax weights over the sources plus a
    residual (the fused image; in a flow, the velocity towards it), which lets a small network
    select the in-focus or the better-exposed source where a direct head cannot.

    ``latent`` runs the network inside a lossless transform (e.g. a 3-level Haar, 64x fewer
    positions) while its inputs and output stay images: the sources and the state are encoded
    before the stem, a direct head's output is decoded, and a gated head mixes the image sources
    with weight maps upsampled from the latent grid (no block edges). Unlike an autoencoder on the
    fuser (``AllInOneFuser(autoencoder=...)``, where the backbone sees only latents), the gates
    then act on pixels.

    Paper: FusionFM: All-in-One Multi-Modal Image Fusion with Flow Matching (Zhu et al., 2025),
        whose "lightweight model" is a small conditional U-Net.
    Ref: U-Net (Ronneberger et al., 2015); DDPM/ADM U-Nets (Ho et al., 2020; Dhariwal & Nichol,
        2021) for the time embedding and scale-shift conditioning.

    Args:
        arch (str | dict): A preset of :attr:`arch_zoo` (``'unet-t'``, ``'unet-s'``,
            ``'unet-b'``) or a dict with keys ``base_channels``, ``channel_mults``,
            ``num_blocks``, ``emb_dim``. Defaults to 'unet-s'.
        in_channels (int): Channels C of each source. Defaults to 1 (luma).
        out_channels (int | None): Output channels; None means ``in_channels``. Defaults to None.
        state_channels (int): Channels of the optional state ``x`` concatenated to every source
            (0: no state input). Defaults to 0.
        num_tasks (int | None): Rows of the task embedding; None: every registered task (the
            fuser passes its task table's size). Defaults to None.
        with_time (bool): Build the sinusoidal time embedding (``t`` is then accepted).
            Defaults to False.
        prompt_dim (int | None): Dimension D of an optional prompt embedding (B, D); None: no
            prompt input. Defaults to None.
        base (str): What an untrained network returns: ``'mean'``, ``'max'`` or ``'zero'``.
            Defaults to 'mean'.
        dropout (float): Dropout inside the residual blocks. Defaults to 0.
        head (str): ``'direct'`` (``base + conv(features)``) or ``'gated'`` (source-gated, see
            above; needs ``out_channels == in_channels``, ``base`` 'zero' or 'mean', and with
            ``with_time`` a state of ``in_channels`` channels). Defaults to 'direct'.
        head_cfg (dict | None): Further arguments of the gated head
            (:class:`~.gated_head.SourceGatedHead`, e.g. ``dict(detail_sigma=2.0)`` for separate
            detail weights); only with ``head='gated'``. Defaults to None.
        latent (dict | None): ``AUTOENCODERS`` config of a lossless transform the network runs
            in (its ``in_channels`` is set to ``in_channels``); ``state_channels`` must then be 0
            or ``in_channels``. Defaults to None (the network runs on the images).
    """

    #: The output heads.
    heads = ('direct', 'gated')
    task_embedding_keys = ('cond.task.weight', 'task_embed.weight')  # + before ConditionEmbedding

    #: Size presets: channels of the first level, multipliers per level, blocks per level, and
    #: the width of the conditioning embedding. Parameters (C = 1, no time / prompt / state):
    #: unet-t 0.28 M, unet-s 2.59 M, unet-b 14.87 M.
    arch_zoo = {
        'unet-t': dict(base_channels=16, channel_mults=(1, 2, 2), num_blocks=1, emb_dim=64),
        'unet-s': dict(base_channels=32, channel_mults=(1, 2, 4), num_blocks=1, emb_dim=128),
        'unet-b': dict(base_channels=64, channel_mults=(1, 2, 4), num_blocks=2, emb_dim=256),
    }
    arch_keys = ('base_channels', 'channel_mults', 'num_blocks', 'emb_dim')

    def __init__(
        self,
        arch: str | dict = 'unet-s',
        in_channels: int = 1,
        out_channels: int | None = None,
        state_channels: int = 0,
        num_tasks: int | None = None,
        with_time: bool = False,
        prompt_dim: int | None = None,
        base: str = 'mean',
        dropout: float = 0.0,
        head: str = 'direct',
        latent: dict | None = None,
        head_cfg: dict | None = None,
    ) -> None:
        arch = self.resolve_arch(arch)
        out_channels = in_channels if out_channels is None else out_channels
        check_base(base, in_channels, out_channels)
        if head not in self.heads:
            raise ValueError(f'head must be one of {self.heads}, got {head!r}')
        if head == 'gated' and (
            out_channels != in_channels
            or base == 'max'
            or (with_time and state_channels != in_channels)
        ):
            raise ValueError(
                f"head='gated' predicts a weighted sum of the sources: it needs out_channels == "
                f'in_channels ({out_channels} != {in_channels}?), base zero or mean (got '
                f'{base!r}) and, with time, state_channels == in_channels (got {state_channels})'
            )
        if head_cfg and head != 'gated':
            raise ValueError(f"head_cfg is for head='gated', got head={head!r}")
        latent_ae = None
        work, work_state, upscale = in_channels, state_channels, 1  # channels the network sees
        if latent is not None:
            if state_channels not in (0, in_channels):
                raise ValueError(
                    f'UNet with a latent needs state_channels 0 or in_channels={in_channels}, '
                    f'got {state_channels}'
                )
            latent_ae = AUTOENCODERS.build(dict(latent, in_channels=in_channels))
            if not latent_ae.lossless or any(True for _ in latent_ae.parameters()):
                raise ValueError(
                    f'UNet latent must be a fixed lossless transform (e.g. '
                    f'HaarWaveletAutoencoder), got {type(latent_ae).__name__}'
                )
            work, upscale = latent_ae.latent_channels, latent_ae.downsample
            work_state = work if state_channels else 0
        ch = arch['base_channels']
        mults = tuple(arch['channel_mults'])
        emb_dim = arch['emb_dim']
        divisor = 2 ** (len(mults) - 1) * upscale
        super().__init__(in_channels, out_channels, state_channels, with_time, prompt_dim, divisor)
        self.base, self.head, self.latent = base, head, latent_ae

        # conditioning: task (always), time and prompt (optional)
        self.build_condition(emb_dim, num_tasks, freq_dim=emb_dim)
        self._register_load_state_dict_pre_hook(_rename_old_condition_keys)

        # shared per-source stem, then mean + max aggregation over the sources
        self.stem = nn.Conv2d(work + work_state, ch, 3, padding=1)
        self.stem_block = ResBlock(ch, ch, emb_dim, dropout)
        self.aggregate = nn.Conv2d(2 * ch, ch, 1)

        # encoder
        self.down = nn.ModuleList()
        chans, skips = ch, [ch]
        for level, mult in enumerate(mults):
            for _ in range(arch['num_blocks']):
                self.down.append(ResBlock(chans, ch * mult, emb_dim, dropout))
                chans = ch * mult
                skips.append(chans)
            if level < len(mults) - 1:
                self.down.append(Downsample(chans))
                skips.append(chans)
        self.mid = nn.ModuleList(
            [ResBlock(chans, chans, emb_dim, dropout), ResBlock(chans, chans, emb_dim, dropout)]
        )
        # decoder: one block per skip connection
        self.up = nn.ModuleList()
        for level, mult in reversed(list(enumerate(mults))):
            for _ in range(arch['num_blocks'] + 1):
                self.up.append(ResBlock(chans + skips.pop(), ch * mult, emb_dim, dropout))
                chans = ch * mult
            if level > 0:
                self.up.append(Upsample(chans))
        if head == 'gated':
            self.gated_head = SourceGatedHead(
                chans, ch, in_channels, work, upscale, **(head_cfg or {})
            )
        else:
            self.out_norm = _norm(chans)
            self.out_conv = nn.Conv2d(chans, work if latent else out_channels, 3, padding=1)
        self._init_weights()

    def _init_weights(self) -> None:
        """The one place that initialises specially: zero output conv and zero modulations (the
        gated head zero-initialises its own convolutions)."""
        if self.head == 'direct':
            nn.init.zeros_(self.out_conv.weight)
            nn.init.zeros_(self.out_conv.bias)
        for m in self.modules():
            if isinstance(m, ResBlock):
                nn.init.zeros_(m.modulation.weight)
                nn.init.zeros_(m.modulation.bias)
        nn.init.normal_(self.cond.task.weight, std=0.02)

    def condition(
        self,
        task: torch.Tensor,
        t: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The conditioning vector (B, emb_dim) from the task ids, time and prompt."""
        return self.cond(task, t, prompt_emb)

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
            sources (Tensor): (B, N, C, H, W), H and W multiples of :attr:`size_divisor`.
            task (Tensor): (B,) long task ids.
            t (Tensor | None): (B,) or scalar time in [0, 1]; needs ``with_time=True``.
            prompt_emb (Tensor | None): (B, D) prompt embedding; needs ``prompt_dim=D``.
            x (Tensor | None): (B, state_channels, H, W) current state; required exactly when
                ``state_channels > 0``.

        Returns:
            BackboneOutput: ``fused`` (B, out_channels, H, W), no auxiliary losses.
        """
        self.check_inputs(sources, t, prompt_emb, x)
        b, n, c, h, w = sources.shape
        emb = self.condition(task, t, prompt_emb)  # (B, E)
        images, state = sources, x  # the sources and state as images
        if self.latent is not None:
            sources = self.latent.encode(sources.flatten(0, 1)).unflatten(0, (b, n))  # (B,N,Cz,..)
            x = None if x is None else self.latent.encode(x)  # (B, Cz, h, w)

        stem_in = sources
        if x is not None:
            stem_in = torch.cat([sources, x[:, None].expand(-1, n, -1, -1, -1)], dim=2)
        feat = self.stem(stem_in.flatten(0, 1))  # (B*N, ch, H, W)
        feat = self.stem_block(feat, emb.repeat_interleave(n, dim=0))
        feat = feat.unflatten(0, (b, n))  # (B, N, ch, H, W)
        h_ = self.aggregate(torch.cat([feat.mean(1), feat.amax(1)], dim=1))  # (B, ch, H, W)

        skips = [h_]
        for layer in self.down:
            h_ = layer(h_, emb) if isinstance(layer, ResBlock) else layer(h_)
            skips.append(h_)
        for layer in self.mid:
            h_ = layer(h_, emb)
        for layer in self.up:
            if isinstance(layer, ResBlock):
                h_ = layer(torch.cat([h_, skips.pop()], dim=1), emb)
            else:
                h_ = layer(h_)
        decode = None if self.latent is None else self.latent.decode
        if self.head == 'gated':
            x1_hat = self.gated_head.end_point(h_, feat, images, decode)  # (B, C, H, W)
            out = x1_hat if t is None else self.gated_head.velocity(x1_hat, state, t)
            return BackboneOutput(out)
        out = self.out_conv(F.silu(self.out_norm(h_)))  # (B, out_channels or Cz, h, w)
        return BackboneOutput(self.base_image(images) + (out if decode is None else decode(out)))

    def base_image(self, sources: torch.Tensor) -> torch.Tensor | float:
        """What the untrained network returns (see :func:`~.base_backbone.base_image`)."""
        return base_image(sources, self.base)
