"""Hook specifications of FusionBox, grouped by the phase in which they are called.

A plugin is a module (or object) with functions marked ``@fusionbox.hookimpl`` whose names match the
stubs below; it is found through the entry-point group ``fusionbox.plugins``. Example::

    # my_plugin/plugin.py; setup.cfg: [options.entry_points] fusionbox.plugins =
    #     my = my_plugin.plugin
    from fusionbox import hookimpl

    @hookimpl
    def fusionbox_register_modules(registries):
        from my_plugin.backbone import MyNet
        registries.BACKBONES.register_module(module=MyNet)
"""

from __future__ import annotations

import argparse
from typing import Any

from .markers import hookspec

# --- phase 1: start-up ---------------------------------------------------------------------------


@hookspec
def fusionbox_register_modules(registries: Any) -> None:
    """Register components into FusionBox's registries.

    Called once per process, when the plugin manager is first used (by the tools, the CLI and
    :func:`fusionbox.utils.register_all_modules`).

    Args:
        registries: the module :mod:`fusionbox.registry`; use its registries as attributes
            (``registries.BACKBONES.register_module(module=MyNet)``) or importing a module whose
            classes carry ``@BACKBONES.register_module()`` decorators.
    """


# --- phase 2: command line -----------------------------------------------------------------------


@hookspec
def fusionbox_add_arguments(parser: argparse.ArgumentParser, tool: str) -> None:
    """Add command-line options to a tool before it parses its arguments.

    Args:
        parser: the tool's parser.
        tool: the tool's name, e.g. ``'train'`` or ``'test'``.
    """


# --- phase 3: configuration ----------------------------------------------------------------------


@hookspec
def fusionbox_modify_config(cfg: Any, args: argparse.Namespace, tool: str) -> None:
    """Edit the merged config in place after the command-line options were applied.

    Args:
        cfg: the :class:`mmengine.Config` the runner will be built from.
        args: the parsed command-line options (including the plugin's own).
        tool: the tool's name.
    """


# --- phase 4: runner -----------------------------------------------------------------------------


@hookspec
def fusionbox_configure_runner(runner: Any, cfg: Any, tool: str) -> None:
    """Configure the built :class:`mmengine.runner.Runner` before it trains or tests.

    Typical uses: register extra hooks (``runner.register_hook(...)``), change the visualiser.

    Args:
        runner: the runner.
        cfg: its config.
        tool: the tool's name.
    """
