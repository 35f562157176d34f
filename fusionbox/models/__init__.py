"""Fusion models: importing this package registers every built-in model component.

Layout: ``data_preprocessors`` (MODELS), ``backbones`` (BACKBONES), ``losses`` (LOSSES),
``objectives`` (OBJECTIVES) and ``fusers`` (MODELS).
"""

from . import (  # noqa: F401
    autoencoders,
    backbones,
    data_preprocessors,
    fusers,
    losses,
    objectives,
    solvers,
    text_encoders,
)
from .autoencoders import AutoencoderTrainer
from .backbones import UNet
from .data_preprocessors import FusionDataPreprocessor
from .fusers import AllInOneFuser
from .objectives import BaseObjective, Regression

__all__ = [
    'AllInOneFuser',
    'AutoencoderTrainer',
    'BaseObjective',
    'FusionDataPreprocessor',
    'Regression',
    'UNet',
    'backbones',
    'data_preprocessors',
    'fusers',
    'losses',
    'objectives',
]
