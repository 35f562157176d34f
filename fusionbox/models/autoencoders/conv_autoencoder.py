"""A small learned convolutional autoencoder (plain or KL-regularised) for a compact latent."""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from fusionbox.registry import AUTOENCODERS

from .base_autoencoder import BaseAutoencoder


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(channels, 8), channels)


class _ResBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _norm(in_ch), nn.SiLU(), nn.Conv2d(in_ch, out_ch, 3, padding=1),
            _norm(out_ch), nn.SiLU(), nn.Conv2d(out_ch, out_ch, 3, padding=1),
        )  # fmt: skip
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.skip(x) + self.body(x)


@AUTOENCODERS.register_module()
class ConvAutoencoder(BaseAutoencoder):
    """Conv encoder / decoder with residual blocks; KL-regularised (a VAE) or plain.

    The encoder halves the size ``log2(downsample)`` times; with ``kl=True`` it predicts the mean
    and log-variance of a diagonal Gaussian posterior and :meth:`encode` returns the mean (a
    deterministic latent for fusion), :meth:`encode_posterior` both (for training). Train it with
    :class:`~fusionbox.models.autoencoders.AutoencoderTrainer`
    (``configs/autoencoder/ae_kl-f4_embedded.py``), then load it frozen into a fuser with
    ``autoencoder=dict(type='ConvAutoencoder', ..., checkpoint=PATH, frozen=True)``.

    Paper: MMAIF (Cao et al., ICCV 2025) runs its DiT in the latent space of a frozen
        autoencoder.
    Ref: "High-Resolution Image Synthesis with Latent Diffusion Models" (Rombach et al., 2022),
        the KL-regularised autoencoder, here much smaller.

    Args:
        in_channels (int): Image channels C. Defaults to 1 (luma).
        latent_channels (int): Latent channels Cz. Defaults to 4.
        downsample (int): Spatial factor d, a power of 2. Defaults to 4.
        base_channels (int): Width of the first level; each level doubles it, up to 4x.
            Defaults to 32.
        kl (bool): Predict a Gaussian posterior (KL loss in training). Defaults to True.
        checkpoint (str | None): Weights to load (see :class:`BaseAutoencoder`). Defaults to None.
        prefix (str): Key prefix stripped from the checkpoint. Defaults to 'autoencoder.'.
        frozen (bool): No gradients, always in eval mode. Defaults to False.
    """

    def __init__(
        self,
        in_channels: int = 1,
        latent_channels: int = 4,
        downsample: int = 4,
        base_channels: int = 32,
        kl: bool = True,
        checkpoint: str | None = None,
        prefix: str = 'autoencoder.',
        frozen: bool = False,
    ) -> None:
        super().__init__(in_channels, checkpoint=checkpoint, prefix=prefix, frozen=frozen)
        if downsample < 1 or downsample & (downsample - 1):
            raise ValueError(f'downsample must be a power of 2, got {downsample}')
        self._latent_channels, self._downsample, self.kl = latent_channels, downsample, kl
        levels = int(math.log2(downsample))
        chans = [base_channels * min(2**i, 4) for i in range(levels + 1)]

        enc = [nn.Conv2d(in_channels, chans[0], 3, padding=1)]
        for i in range(levels):
            enc += [
                _ResBlock(chans[i], chans[i + 1]),
                nn.Conv2d(chans[i + 1], chans[i + 1], 3, 2, 1),
            ]
        enc += [_ResBlock(chans[-1], chans[-1]), _norm(chans[-1]), nn.SiLU()]
        enc.append(nn.Conv2d(chans[-1], latent_channels * (2 if kl else 1), 3, padding=1))
        self.encoder = nn.Sequential(*enc)

        dec = [nn.Conv2d(latent_channels, chans[-1], 3, padding=1), _ResBlock(chans[-1], chans[-1])]
        for i in reversed(range(levels)):
            dec += [
                nn.Upsample(scale_factor=2.0, mode='nearest'),
                nn.Conv2d(chans[i + 1], chans[i + 1], 3, padding=1),
                _ResBlock(chans[i + 1], chans[i]),
            ]
        dec += [_norm(chans[0]), nn.SiLU(), nn.Conv2d(chans[0], in_channels, 3, padding=1)]
        self.decoder = nn.Sequential(*dec)
        self._finish_init()

    @property
    def latent_channels(self) -> int:
        return self._latent_channels

    @property
    def downsample(self) -> int:
        return self._downsample

    def encode_posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, C, H, W) -> mean (B, Cz, h, w) and log-variance (same; None when not ``kl``)."""
        self.check_size(x)
        h = self.encoder(x)
        if not self.kl:
            return h, None
        mean, logvar = h.chunk(2, dim=1)
        return mean, logvar.clamp(-30.0, 20.0)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode_posterior(x)[0]  # the posterior mean: deterministic

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, 1)) averaged over every element (a scalar)."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean()


def sample_posterior(mean: torch.Tensor, logvar: torch.Tensor | None) -> torch.Tensor:
    """A reparameterised sample of the posterior (the mean itself when there is no variance)."""
    if logvar is None:
        return mean
    return mean + torch.randn_like(mean) * (0.5 * logvar).exp()


__all__ = ['ConvAutoencoder', 'kl_divergence', 'sample_posterior']
