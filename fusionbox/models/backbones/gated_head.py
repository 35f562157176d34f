"""A source-gated output head: the fused image as per-pixel weights over the sources + a residual.

Conventions as in :mod:`.unet`: sources (B, N, C, H, W), t in [0, 1] with t = 0 the start point
and t = 1 the fused image.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

#: The smallest ``1 - t`` the velocity of an end-point prediction is divided by.
MIN_REMAINING_TIME = 0.05


class SourceGatedHead(nn.Module):
    """Predict the fused image as ``sum_i softmax_i(g) * source_i + r``.

    For every source i a gate logit map ``g_i`` is computed by one convolution shared over the
    sources, from the network's last decoder features and that source's own stem features, so any
    number of sources (exposure and focus stacks) is handled and the result does not depend on
    their order; the softmax over the sources gives per-pixel weights, and a residual ``r`` (the
    network's usual output convolution) adds what no source holds. Both are zero-initialised, so
    an untrained head returns the mean of the sources.

    On a network that runs in a latent grid ``upscale`` times coarser than the images (a U-Net
    inside a Haar transform), the gates are predicted on a grid ``subdivision`` times finer than
    the latent one (sub-pixel convolution) and upsampled bilinearly to the images, where the
    sources are mixed: the weight maps are smooth, so the mixture shows no block edges (gating
    each latent coefficient instead leaves the latent's blocks visible wherever the weights of
    neighbouring blocks differ); the residual is decoded from the latent.

    Used in a flow (``with_time``), the head predicts the end point ``x1_hat`` and returns the
    velocity that carries the state there in the remaining time,
    ``v = (x1_hat - x_t) / max(1 - t, MIN_REMAINING_TIME)`` (end-point, or x-, parameterisation
    of the same velocity field); the one-step estimate ``x_t + (1 - t) v`` is then ``x1_hat`` and
    an Euler step lands exactly on it at its last step. Without time it returns ``x1_hat``.

    Paper: FusionFM: All-in-One Multi-Modal Image Fusion with Flow Matching (Zhu et al., 2025)
        (the task: transport to the fused image; this head lets a light model select sources).
    Ref: weight-map fusion (e.g. Mertens et al., 2007, exposure fusion; Li et al., 2013, GFF);
        end-point prediction in flow matching, e.g. "Back to Basics: Let Denoising Generative
        Models Denoise" (Li & He, 2025).

    Args:
        feat_channels (int): Channels of the decoder features.
        source_feat_channels (int): Channels of the per-source stem features.
        channels (int): Image channels C of each source and of the output.
        residual_channels (int | None): Channels of the residual the network predicts (the
            latent channels when it is decoded); None: ``channels``. Defaults to None.
        upscale (int): Image size / feature grid size (the latent's downsampling; 1 on images).
            Defaults to 1.
        subdivision (int): Gate logits per feature position along each side, when
            ``upscale > 1``. Defaults to 2.
    """

    def __init__(
        self,
        feat_channels: int,
        source_feat_channels: int,
        channels: int,
        residual_channels: int | None = None,
        upscale: int = 1,
        subdivision: int = 2,
    ) -> None:
        super().__init__()
        if upscale < 1 or (upscale > 1 and (subdivision < 1 or upscale % subdivision)):
            raise ValueError(
                f'upscale must be >= 1 and a multiple of subdivision, got {upscale}, {subdivision}'
            )
        self.upscale = upscale
        self.subdivision = subdivision if upscale > 1 else 1
        # one logit per channel on images; one per sub-position (shared by the channels) on a grid
        gates = channels if upscale == 1 else self.subdivision**2
        self.norm = nn.GroupNorm(math.gcd(feat_channels, 8), feat_channels, affine=False)
        self.gate = nn.Conv2d(feat_channels + source_feat_channels, gates, 3, padding=1)
        self.residual = nn.Conv2d(feat_channels, residual_channels or channels, 3, padding=1)
        for conv in (self.gate, self.residual):
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def weights(self, h: torch.Tensor, source_feat: torch.Tensor) -> torch.Tensor:
        """Per-pixel source weights (B, N, C or 1, H, W) summing to 1 over N, from the normalised
        decoder features h (B, F, h, w) and the per-source features (B, N, Fs, h, w)."""
        b, n = source_feat.shape[:2]
        pairs = torch.cat([h[:, None].expand(-1, n, -1, -1, -1), source_feat], dim=2)
        logits = self.gate(pairs.flatten(0, 1))  # (B*N, G, h, w)
        if self.upscale > 1:
            logits = F.pixel_shuffle(logits, self.subdivision)  # (B*N, 1, s h, s w)
            logits = F.interpolate(
                logits,
                scale_factor=self.upscale // self.subdivision,
                mode='bilinear',
                align_corners=False,
            )  # (B*N, 1, H, W)
        return logits.unflatten(0, (b, n)).softmax(dim=1)

    def end_point(
        self,
        feat: torch.Tensor,
        source_feat: torch.Tensor,
        sources: torch.Tensor,
        decode: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """The fused estimate (B, C, H, W).

        Args:
            feat (Tensor): (B, F, h, w) decoder features.
            source_feat (Tensor): (B, N, Fs, h, w) per-source features.
            sources (Tensor): (B, N, C, H, W) images, (H, W) = upscale * (h, w).
            decode (Callable | None): latent -> image for the residual. Defaults to None.
        """
        h = F.silu(self.norm(feat))  # (B, F, h, w), shared by the gates and the residual
        mixture = (self.weights(h, source_feat) * sources).sum(1)  # (B, C, H, W)
        residual = self.residual(h)
        return mixture + (residual if decode is None else decode(residual))

    @staticmethod
    def velocity(x1_hat: torch.Tensor, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        """The velocity (B, C, H, W) from the state x at time t (scalar or (B,)) to x1_hat."""
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
        remaining = (1 - t).clamp(min=MIN_REMAINING_TIME)
        if remaining.dim():
            remaining = remaining.view(-1, 1, 1, 1)  # (B, 1, 1, 1)
        return (x1_hat - x) / remaining
