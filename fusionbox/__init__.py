"""FusionBox: a plugin-based toolbox for all-in-one multi-modal image fusion."""

from .plugins.markers import hookimpl, hookspec
from .version import __version__

__all__ = ['__version__', 'hookimpl', 'hookspec']
