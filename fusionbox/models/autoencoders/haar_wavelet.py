"""A lossless latent space by the orthonormal 2D Haar wavelet transform."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from fusionbox.registry import AUTOENCODERS

from .base_autoencoder import BaseAutoencoder

#: One level of the orthonormal 2D Haar transform on the 2 x 2 pixels (a, b, c, d) of a patch
#: (row-major): rows give LL, LH (horizontal detail), HL (vertical detail), HH. Symmetric and
#: orthonormal, so it is its own inverse.
HAAR_2D = 0.5 * torch.tensor(
    [[1.0, 1.0, 1.0, 1.0], [1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0], [1.0, -1.0, -1.0, 1.0]]
)


def _haar_level(x: torch.Tensor, inverse: bool = False) -> torch.Tensor:
    """(B, C, H, W) -> (B, 4C, H/2, W/2) bands [LL | LH | HL | HH] (each C channels), or back."""
    m = HAAR_2D.to(x)
    if not inverse:
        c = x.shape[1]
        p = F.pixel_unshuffle(x, 2).unflatten(1, (c, 4))  # (B, C, 4 pixels, h, w)
        bands = torch.einsum('kj,bcjhw->bkchw', m, p)  # (B, 4 bands, C, h, w)
        return bands.flatten(1, 2)  # (B, 4C, h, w)
    c = x.shape[1] // 4
    bands = x.unflatten(1, (4, c))  # (B, 4 bands, C, h, w)
    p = torch.einsum('kj,bkchw->bcjhw', m, bands)  # (B, C, 4 pixels, h, w)
    return F.pixel_shuffle(p.flatten(1, 2), 2)  # (B, C, H, W)


@AUTOENCODERS.register_module()
class HaarWaveletAutoencoder(BaseAutoencoder):
    """Multi-level orthonormal Haar transform packed into one latent tensor, exactly invertible.

    Level by level the approximation LL is split again (the Mallat pyramid). The latent holds,
    along the channels: the coarsest LL (C), the details of the coarsest level (3C), then the
    details of each finer level rearranged to the coarsest grid by pixel-unshuffle (3C * 4^k):
    (B, C, H, W) -> (B, C * 4^L, H / 2^L, W / 2^L). Orthonormal and linear: energies and
    interpolations carry over between images and latents.

    Ref: A. Haar (1910); S. Mallat, "A theory for multiresolution signal decomposition" (1989).

    Args:
        in_channels (int): Image channels C. Defaults to 1 (luma).
        levels (int): Decomposition levels L. Defaults to 1.
    """

    lossless = True

    def __init__(self, in_channels: int = 1, levels: int = 1) -> None:
        if levels < 1:
            raise ValueError(f'levels must be >= 1, got {levels}')
        super().__init__(in_channels=in_channels)
        self.levels = levels

    @property
    def latent_channels(self) -> int:
        return self.in_channels * 4**self.levels

    @property
    def downsample(self) -> int:
        return 2**self.levels

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        self.check_size(x)
        c, details, ll = self.in_channels, [], x
        for _ in range(self.levels):
            bands = _haar_level(ll)  # (B, 4C, h, w)
            ll = bands[:, :c]
            details.append(bands[:, c:])  # (B, 3C, h, w), finest first
        out = [ll]
        for k in reversed(range(self.levels)):  # coarsest details first
            f = 2 ** (self.levels - 1 - k)
            out.append(F.pixel_unshuffle(details[k], f) if f > 1 else details[k])
        return torch.cat(out, dim=1)  # (B, C * 4^L, H / 2^L, W / 2^L)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        c = self.in_channels
        ll, start = z[:, :c], c
        for k in reversed(range(self.levels)):  # from the coarsest level up
            f = 2 ** (self.levels - 1 - k)
            size = 3 * c * f * f
            det = z[:, start : start + size]
            start += size
            det = F.pixel_shuffle(det, f) if f > 1 else det  # (B, 3C, h_k, w_k)
            ll = _haar_level(torch.cat([ll, det], dim=1), inverse=True)
        return ll  # (B, C, H, W)
