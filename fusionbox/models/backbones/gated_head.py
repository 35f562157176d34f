"""A source-gated output head: the fused image as per-pixel weights over the sources + a residual.

Conventions as in :mod:`.unet`: sources (B, N, C, H, W), t in [0, 1] with t = 0 the start point
and t = 1 the fused image.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

#: The smallest ``1 - t`` the velocity of an end-point prediction is divided by.
MIN_REMAINING_TIME = 0.05


class SourceGatedHead(nn.Module):
    """Predict the fused image as ``sum_i softmax_i(g) * source_i + r``.

    For every source i a gate logit map ``g_i`` (B, C, H, W) is computed by one convolution shared
    over the sources, from the network's last decoder features and that source's own stem
    features, so any number of sources (exposure and focus stacks) is handled and the result does
    not depend on their order. The softmax over the sources gives per-position weights (per pixel,
    or per coefficient when the network runs in a wavelet latent, which is the classic
    coefficient-selection rule of wavelet fusion, here learned); a residual ``r`` (the network's
    usual output convolution) adds what no source holds. Both are zero-initialised, so an
    untrained head returns the mean of the sources.

    Used in a flow (``with_time``), the head predicts the end point ``x1_hat`` and returns the
    velocity that carries the state there in the remaining time,
    ``v = (x1_hat - x_t) / max(1 - t, MIN_REMAINING_TIME)`` (end-point, or x-, parameterisation
    of the same velocity field); the one-step estimate ``x_t + (1 - t) v`` is then ``x1_hat`` and an
    Euler step lands exactly on it at its last step. Without time it returns ``x1_hat``.

    Paper: FusionFM: All-in-One Multi-Modal Image Fusion with Flow Matching (Zhu et al., 2025)
        (the task: transport to the fused image; this head lets a light model select sources).
    Ref: wavelet-coefficient selection fusion (Li, Manjunath & Mitra, 1995); end-point
        prediction in flow matching, e.g. "Back to Basics: Let Denoising Generative Models
        Denoise" (Li & He, 2025).

    Args:
        feat_channels (int): Channels of the decoder features.
        source_feat_channels (int): Channels of the per-source stem features.
        channels (int): Image (or latent) channels C of each source and of the output.
    """

    def __init__(self, feat_channels: int, source_feat_channels: int, channels: int) -> None:
        super().__init__()
        self.norm = nn.GroupNorm(math.gcd(feat_channels, 8), feat_channels, affine=False)
        self.gate = nn.Conv2d(feat_channels + source_feat_channels, channels, 3, padding=1)
        self.residual = nn.Conv2d(feat_channels, channels, 3, padding=1)
        for conv in (self.gate, self.residual):
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def end_point(
        self, feat: torch.Tensor, source_feat: torch.Tensor, sources: torch.Tensor
    ) -> torch.Tensor:
        """The fused estimate (B, C, H, W).

        Args:
            feat (Tensor): (B, F, H, W) decoder features.
            source_feat (Tensor): (B, N, Fs, H, W) per-source features.
            sources (Tensor): (B, N, C, H, W).
        """
        b, n = source_feat.shape[:2]
        h = F.silu(self.norm(feat))  # (B, F, H, W)
        pairs = torch.cat([h[:, None].expand(-1, n, -1, -1, -1), source_feat], dim=2)
        logits = self.gate(pairs.flatten(0, 1)).unflatten(0, (b, n))  # (B, N, C, H, W)
        weights = logits.softmax(dim=1)
        return (weights * sources).sum(1) + self.residual(h)  # (B, C, H, W)

    @staticmethod
    def velocity(x1_hat: torch.Tensor, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        """The velocity (B, C, H, W) from the state x at time t (scalar or (B,)) to x1_hat."""
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
        remaining = (1 - t).clamp(min=MIN_REMAINING_TIME)
        if remaining.dim():
            remaining = remaining.view(-1, 1, 1, 1)  # (B, 1, 1, 1)
        return (x1_hat - x) / remaining
