"""The embedded default benchmark: generated offline from images that installed packages ship.

One generator module per task (:mod:`.ivf`, :mod:`.mif`, :mod:`.mef`, :mod:`.mff`) and a builder
that writes the splits to the cache in the standard folder layout.
"""

from .builder import (
    DEFAULT_NUM_SAMPLES,
    EMBEDDED_VERSION,
    GENERATORS,
    HAS_GT,
    HAS_MASK,
    build_embedded_benchmark,
    build_embedded_split,
    embedded_sources,
    embedded_split_dir,
)
from .common import SPLITS

__all__ = [
    'DEFAULT_NUM_SAMPLES',
    'EMBEDDED_VERSION',
    'GENERATORS',
    'HAS_GT',
    'HAS_MASK',
    'SPLITS',
    'build_embedded_benchmark',
    'build_embedded_split',
    'embedded_sources',
    'embedded_split_dir',
]
