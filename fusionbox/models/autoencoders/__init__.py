"""Latent spaces (registry ``AUTOENCODERS``) and the model that trains a learned one (``MODELS``).

Lossless: :class:`IdentityAutoencoder`, :class:`PixelUnshuffleAutoencoder`,
:class:`HaarWaveletAutoencoder`; learned: :class:`ConvAutoencoder`, trained by
:class:`AutoencoderTrainer`.
"""

from .autoencoder_trainer import AutoencoderTrainer
from .base_autoencoder import BaseAutoencoder
from .conv_autoencoder import ConvAutoencoder
from .haar_wavelet import HaarWaveletAutoencoder
from .identity import IdentityAutoencoder
from .pixel_unshuffle import PixelUnshuffleAutoencoder

__all__ = [
    'AutoencoderTrainer',
    'BaseAutoencoder',
    'ConvAutoencoder',
    'HaarWaveletAutoencoder',
    'IdentityAutoencoder',
    'PixelUnshuffleAutoencoder',
]
