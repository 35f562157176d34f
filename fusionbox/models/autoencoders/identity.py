"""The identity latent space: a fuser with it works on the images themselves."""

from __future__ import annotations

import torch

from fusionbox.registry import AUTOENCODERS

from .base_autoencoder import BaseAutoencoder


@AUTOENCODERS.register_module()
class IdentityAutoencoder(BaseAutoencoder):
    """``encode`` and ``decode`` return their input: latent = image (Cz = C, d = 1).

    Args:
        in_channels (int): Image channels C. Defaults to 1 (luma).
    """

    lossless = True

    def __init__(self, in_channels: int = 1) -> None:
        super().__init__(in_channels=in_channels)

    @property
    def latent_channels(self) -> int:
        return self.in_channels

    @property
    def downsample(self) -> int:
        return 1

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return z
