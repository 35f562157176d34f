"""pluggy-based plugins: hook specifications, the lazily created manager, the built-in plugin."""

from .manager import (
    BLOCK_ENV,
    BUILTIN_NAME,
    DISABLE_ENV,
    ENTRY_POINT_GROUP,
    FusionPluginManager,
    get_plugin_manager,
    reset_plugin_manager,
)
from .markers import hookimpl, hookspec

__all__ = [
    'BLOCK_ENV',
    'BUILTIN_NAME',
    'DISABLE_ENV',
    'ENTRY_POINT_GROUP',
    'FusionPluginManager',
    'get_plugin_manager',
    'reset_plugin_manager',
    'hookimpl',
    'hookspec',
]
