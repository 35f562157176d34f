"""FusionBox's exceptions for bad input: each message names the file or key and what was expected.

They subclass the built-in exception a caller would already catch (``ValueError``, ``OSError``),
so ``except ValueError`` keeps working, and :class:`FusionBoxError` catches them all. The command
line turns them into one line and a non-zero exit.
"""

from __future__ import annotations


class FusionBoxError(Exception):
    """Base class of FusionBox's input errors."""


class ImageReadError(FusionBoxError, OSError, ValueError):
    """An image file cannot be read: missing data, truncated, corrupt, not an image, or an
    unsupported pixel type. The message names the file."""


class CheckpointError(FusionBoxError, ValueError):
    """A checkpoint or weights file cannot be loaded safely (it carries objects other than
    tensors and the few MMEngine types, it is corrupt, or it does not fit the model). The message
    names the file."""


class ResourceLimitError(FusionBoxError, ValueError):
    """A request exceeds a memory bound (e.g. an image larger than the pixel limit); refused
    before any work starts. The message names the limit and how to raise or avoid it."""


class ZooError(FusionBoxError, ValueError):
    """A model-zoo lookup failed: unknown name, no default entry, a bad manifest, or a weights
    file whose hash differs from the manifest's."""


class ConfigError(FusionBoxError, ValueError):
    """A config file cannot be used: a syntax error, or a top-level key that looks like a
    misspelling of one the Runner reads (``trian_cfg``). The message names the file and key."""


class OutputExistsError(FusionBoxError, FileExistsError):
    """An output file exists and the write was not asked to replace it (``overwrite=True``,
    ``--overwrite``). The message names the file."""
