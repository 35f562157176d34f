"""The embedded default benchmark: generated offline from images that installed packages ship.

One generator module per task (:mod:`.ivf`, :mod:`.mif`, :mod:`.mef`, :mod:`.mff`, named by the
task specs' ``embedded``) and a builder
that writes the splits to the cache in the standard folder layout.
"""

from .builder import (
    DEFAULT_NUM_SAMPLES,
    EMBEDDED_VERSION,
    build_embedded_benchmark,
    build_embedded_split,
    embedded_generator,
    embedded_sources,
    embedded_split_dir,
    has_gt,
    has_mask,
)
from .common import SPLITS

__all__ = [
    'DEFAULT_NUM_SAMPLES',
    'EMBEDDED_VERSION',
    'SPLITS',
    'build_embedded_benchmark',
    'build_embedded_split',
    'embedded_generator',
    'embedded_sources',
    'embedded_split_dir',
    'has_gt',
    'has_mask',
]
