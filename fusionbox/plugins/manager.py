"""The plugin manager: a small typed wrapper around :class:`pluggy.PluginManager`.

Created lazily by :func:`get_plugin_manager` (never at import). It loads the built-in plugin and
every entry point of the group ``fusionbox.plugins``, except when
``FUSIONBOX_DISABLE_PLUGIN_AUTOLOAD`` is set (then only the built-in plugin is loaded) or a
plugin is named in ``FUSIONBOX_BLOCK_PLUGINS`` (comma-separated). A plugin that fails to import
or register is reported by name with its error and skipped; the rest keeps working.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .markers import PROJECT_NAME

ENTRY_POINT_GROUP = 'fusionbox.plugins'
DISABLE_ENV = 'FUSIONBOX_DISABLE_PLUGIN_AUTOLOAD'
BLOCK_ENV = 'FUSIONBOX_BLOCK_PLUGINS'
BUILTIN_NAME = 'fusionbox.builtin'


@dataclass
class PluginReport:
    """What happened to each plugin: loaded names, failures by name, blocked names."""

    loaded: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    blocked: list = field(default_factory=list)


def _env_list(name: str) -> list:
    return [item.strip() for item in os.environ.get(name, '').split(',') if item.strip()]


class FusionPluginManager:
    """Loads FusionBox plugins and calls their hooks.

    Args:
        autoload: load entry points; defaults to ``not FUSIONBOX_DISABLE_PLUGIN_AUTOLOAD``.
        block: plugin names not to load; defaults to ``FUSIONBOX_BLOCK_PLUGINS``.
    """

    def __init__(self, autoload: bool | None = None, block: list | None = None):
        if autoload is None:
            autoload = os.environ.get(DISABLE_ENV, '').lower() not in ('1', 'true', 'yes')
        self.autoload = autoload
        self.block_list = list(_env_list(BLOCK_ENV) if block is None else block)
        self.report = PluginReport()
        self._pm = pluggy.PluginManager(PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._registered = False
        for name in self.block_list:
            self._pm.set_blocked(name)
        self._load()

    # --- loading ---------------------------------------------------------------------------------
    def _load(self) -> None:
        from . import builtin

        self._add(BUILTIN_NAME, lambda: builtin)
        if not self.autoload:
            return
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in self.block_list:
                self.report.blocked.append(ep.name)
                continue
            self._add(ep.name, ep.load)
        self._check_pending()

    def _check_pending(self) -> None:
        """Reject, by name and with a warning, plugins implementing hooks no spec defines."""
        while True:
            try:
                self._pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                name = self._pm.get_name(exc.plugin)
                if name == BUILTIN_NAME:
                    raise
                self._pm.unregister(exc.plugin)
                self.report.loaded.remove(name)
                self._fail(name, f'implements a hook no specification defines (misspelled?): {exc}')

    def _add(self, name: str, loader) -> None:
        try:
            plugin = loader()
            self._pm.register(plugin, name=name)
        except Exception as exc:  # a broken plugin must not take the others down
            self._fail(name, f'failed to load: {type(exc).__name__}: {exc}')
            return
        self.report.loaded.append(name)

    def _fail(self, name: str, message: str) -> None:
        self.report.failed[name] = message
        warnings.warn(f'FusionBox plugin {name!r} {message}', RuntimeWarning, stacklevel=3)

    def _call_each(self, hook_name: str, **kwargs) -> None:
        """Call one hook plugin by plugin so that a failure is attributed to its plugin."""
        for impl in getattr(self._pm.hook, hook_name).get_hookimpls():
            name = impl.plugin_name
            if name in self.report.failed:
                continue
            try:
                impl.function(**{k: kwargs[k] for k in impl.argnames})
            except Exception as exc:
                if name == BUILTIN_NAME:
                    raise
                self._fail(name, f'failed in {hook_name}: {type(exc).__name__}: {exc}')

    # --- hooks -----------------------------------------------------------------------------------
    def register_modules(self) -> None:
        """Call ``fusionbox_register_modules`` of every plugin (once per manager)."""
        if self._registered:
            return
        from fusionbox import registry

        self._registered = True
        self._call_each('fusionbox_register_modules', registries=registry)

    def add_arguments(self, parser: argparse.ArgumentParser, tool: str) -> None:
        self._call_each('fusionbox_add_arguments', parser=parser, tool=tool)

    def modify_config(self, cfg: Any, args: argparse.Namespace, tool: str) -> None:
        self._call_each('fusionbox_modify_config', cfg=cfg, args=args, tool=tool)

    def configure_runner(self, runner: Any, cfg: Any, tool: str) -> None:
        self._call_each('fusionbox_configure_runner', runner=runner, cfg=cfg, tool=tool)

    # --- introspection ---------------------------------------------------------------------------
    def plugin_names(self) -> list:
        """Names of the loaded plugins (the built-in one first)."""
        return [n for n in self.report.loaded if n not in self.report.failed]

    def distributions(self) -> dict:
        """Map each third-party plugin name to 'distribution version' where known."""
        out = {}
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = getattr(ep, 'dist', None)
            out[ep.name] = f'{dist.name} {dist.version}' if dist is not None else 'unknown'
        return out


_MANAGER: FusionPluginManager | None = None


def get_plugin_manager() -> FusionPluginManager:
    """Return the process-wide plugin manager; created (and modules registered) on first use."""
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = FusionPluginManager()
        _MANAGER.register_modules()
    return _MANAGER


def reset_plugin_manager() -> None:
    """Forget the process-wide manager (for tests that change the environment)."""
    global _MANAGER
    _MANAGER = None
