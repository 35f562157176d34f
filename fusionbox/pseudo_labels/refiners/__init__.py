"""The Fusion Refiner (registry REFINERS): the refiner class, and the degradation detectors and
enhancers it combines (registered functions)."""

from .components import (
    ENHANCER_OF,
    Finding,
    boost_contrast,
    correct_exposure,
    denoise,
    halo,
    inject_detail,
    lost_detail,
    lost_intensity,
    low_contrast,
    noise,
    poor_exposure,
    restore_intensity,
    suppress_halo,
)
from .focus import focus_measure, misfocus, refocus
from .fusion_refiner import DEFAULT_COMPONENTS, DEFAULT_STRENGTHS, FusionRefiner, Refinement
from .layers import Layers, decompose
from .structure import hidden_structure, unveil_structure
from .texture import band_energy, inject_texture, lost_texture

__all__ = [
    'FusionRefiner',
    'Refinement',
    'DEFAULT_COMPONENTS',
    'DEFAULT_STRENGTHS',
    'Layers',
    'decompose',
    'Finding',
    'ENHANCER_OF',
    'lost_detail',
    'inject_detail',
    'lost_intensity',
    'restore_intensity',
    'low_contrast',
    'boost_contrast',
    'poor_exposure',
    'correct_exposure',
    'noise',
    'denoise',
    'halo',
    'suppress_halo',
    'focus_measure',
    'misfocus',
    'refocus',
    'band_energy',
    'lost_texture',
    'inject_texture',
    'hidden_structure',
    'unveil_structure',
]
