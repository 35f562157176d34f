"""Fusion priors (registry PRIORS): training-free methods whose results are pseudo-label
candidates, and adapters for external results and FusionBox checkpoints."""

from .adapters import FuserCheckpoint, MissingResult, ResultsFolder
from .base import BasePrior
from .edge_preserving import ADF, GFF, MGFF
from .exposure import Mertens
from .focus import FocusMap
from .multiscale import DWT, LaplacianPyramid
from .simple import PCA, Average, ChooseMax

__all__ = [
    'BasePrior',
    'Average',
    'ChooseMax',
    'PCA',
    'LaplacianPyramid',
    'DWT',
    'GFF',
    'ADF',
    'MGFF',
    'Mertens',
    'FocusMap',
    'ResultsFolder',
    'FuserCheckpoint',
    'MissingResult',
]
