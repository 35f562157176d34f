"""The interface of a latent space: ``encode`` images to latents and ``decode`` them back."""

from __future__ import annotations

import warnings
from abc import ABCMeta, abstractmethod

import torch
import torch.nn as nn


class BaseAutoencoder(nn.Module, metaclass=ABCMeta):
    """An autoencoder maps images (B, C, H, W) to latents (B, Cz, H / d, W / d) and back.

    Attributes ``in_channels`` (C), ``latent_channels`` (Cz) and ``downsample`` (d) describe the
    latent space; a fuser pads its inputs to a multiple of ``downsample`` and builds its backbone
    with ``in_channels = latent_channels``.

    A *frozen* autoencoder has ``requires_grad=False`` on every parameter and stays in eval mode
    whatever ``train()`` is called with, so a fuser can hold it without training it.

    Args:
        in_channels (int): Image channels C. Defaults to 1 (luma).
        checkpoint (str | None): A checkpoint to load after construction: a plain state dict, or
            an MMEngine checkpoint (its ``state_dict``, e.g. of an ``AutoencoderTrainer``, whose
            keys start with ``prefix``). Defaults to None.
        prefix (str): Key prefix stripped from the checkpoint's state dict when present.
            Defaults to 'autoencoder.'.
        frozen (bool): Freeze the autoencoder (see above). Defaults to False.
    """

    #: Whether ``decode(encode(x)) == x`` exactly (up to float rounding).
    lossless: bool = False

    def __init__(
        self,
        in_channels: int = 1,
        checkpoint: str | None = None,
        prefix: str = 'autoencoder.',
        frozen: bool = False,
    ) -> None:
        super().__init__()
        if in_channels < 1:
            raise ValueError(f'in_channels must be >= 1, got {in_channels}')
        self.in_channels = in_channels
        self.checkpoint, self.prefix, self.frozen = checkpoint, prefix, frozen

    # subclasses call this at the end of their __init__, once their layers exist
    def _finish_init(self) -> None:
        if self.checkpoint is not None:
            self.load_checkpoint(self.checkpoint, self.prefix)
        elif self.frozen and any(True for _ in self.parameters()):
            warnings.warn(
                f'{type(self).__name__} is frozen but has no checkpoint: its weights are random '
                '(train one with configs/autoencoder/ and pass checkpoint=PATH)',
                stacklevel=3,
            )
        if self.frozen:
            self.requires_grad_(False)
            self.eval()

    @property
    @abstractmethod
    def latent_channels(self) -> int:
        """Channels Cz of a latent."""

    @property
    @abstractmethod
    def downsample(self) -> int:
        """Spatial factor d between an image and its latent."""

    @abstractmethod
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, Cz, H / d, W / d); H and W are multiples of ``downsample``."""

    @abstractmethod
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, Cz, h, w) -> (B, C, h * d, w * d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction ``decode(encode(x))``."""
        return self.decode(self.encode(x))

    def train(self, mode: bool = True) -> BaseAutoencoder:
        return super().train(mode and not self.frozen)

    def check_size(self, x: torch.Tensor) -> None:
        h, w = x.shape[-2:]
        if h % self.downsample or w % self.downsample:
            raise ValueError(
                f'{type(self).__name__} needs H and W multiples of {self.downsample}, got '
                f'{(h, w)} (set the data preprocessor size_divisor)'
            )

    def load_checkpoint(self, path: str, prefix: str = 'autoencoder.') -> None:
        """Load weights from ``path`` (see the class doc); every key must match.

        Read with :func:`fusionbox.utils.checkpoint.load_model_weights`: a ``.safetensors`` file
        or a ``.pth`` checkpoint holding nothing but tensors and MMEngine's own types.

        Raises:
            CheckpointError: the file is unsafe, unreadable or does not fit (names the file).
        """
        from fusionbox.utils.checkpoint import load_model_weights

        load_model_weights(self, path, strict=True, prefix=prefix)

    def extra_repr(self) -> str:
        return (
            f'in_channels={self.in_channels}, latent_channels={self.latent_channels}, '
            f'downsample={self.downsample}, frozen={self.frozen}'
        )
