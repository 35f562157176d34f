"""Pipeline transforms (registry ``TRANSFORMS``), in config order: load, to YCbCr, crop/flip,
pack. Importing this package registers them."""

from .color import SourcesToYCbCr
from .formatting import PackFusionInputs
from .geometric import PairedRandomCrop, PairedRandomFlip
from .loading import LoadMultiSourceImages, read_image, read_mask

__all__ = [
    'LoadMultiSourceImages',
    'PackFusionInputs',
    'PairedRandomCrop',
    'PairedRandomFlip',
    'SourcesToYCbCr',
    'read_image',
    'read_mask',
]
