"""The ``fusionbox`` command: one subcommand per module listed in :data:`COMMANDS`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Subcommand modules; each exposes ``register(subparsers)`` and sets ``func=run`` on its parser.
COMMANDS = (
    'fusionbox.cli.list_cmd',
    'fusionbox.cli.info',
    'fusionbox.cli.metrics',
    'fusionbox.cli.leaderboard',
    'fusionbox.cli.data',
    'fusionbox.cli.degrade',
    'fusionbox.cli.pseudo_labels',
    'fusionbox.cli.fuse',
    'fusionbox.cli.models',
    'fusionbox.cli.compare',
    'fusionbox.cli.export',
    'fusionbox.cli.downstream',
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='fusionbox', description='FusionBox: all-in-one multi-modal image fusion toolbox.'
    )
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not built yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, 'func', None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (OSError, ValueError, KeyError) as exc:  # bad input: one clear line, no traceback
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f'fusionbox {args.command}: error: {message}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
