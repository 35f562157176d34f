"""A lossless latent space by space-to-depth: each f x f patch becomes f * f channels."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fusionbox.registry import AUTOENCODERS

from .base_autoencoder import BaseAutoencoder


@AUTOENCODERS.register_module()
class PixelUnshuffleAutoencoder(BaseAutoencoder):
    """Space-to-depth: (B, C, H, W) -> (B, C * f * f, H / f, W / f), exactly invertible.

    A permutation of the pixels (orthonormal, linear), so a mean or an interpolation of latents
    is the latent of the mean or interpolation of the images.

    Ref: "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel
        Convolutional Neural Network" (Shi et al., 2016), ``torch.nn.PixelUnshuffle``.

    Args:
        in_channels (int): Image channels C. Defaults to 1 (luma).
        factor (int): Downsampling factor f. Defaults to 2.
    """

    lossless = True

    def __init__(self, in_channels: int = 1, factor: int = 2) -> None:
        if factor < 1:
            raise ValueError(f'factor must be >= 1, got {factor}')
        super().__init__(in_channels=in_channels)
        self.factor = factor

    @property
    def latent_channels(self) -> int:
        return self.in_channels * self.factor**2

    @property
    def downsample(self) -> int:
        return self.factor

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        self.check_size(x)
        return F.pixel_unshuffle(x, self.factor)  # (B, C * f * f, H / f, W / f)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return F.pixel_shuffle(z, self.factor)  # (B, C, H, W)
