"""The ``fusionbox`` command: one subcommand per module listed in :data:`COMMANDS`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: Subcommand name -> module; each module exposes ``register(subparsers)`` and sets
#: ``func=run`` on its parser.
COMMANDS = {
    'list': 'fusionbox.cli.list_cmd',
    'info': 'fusionbox.cli.info',
    'metrics': 'fusionbox.cli.metrics',
    'leaderboard': 'fusionbox.cli.leaderboard',
    'data': 'fusionbox.cli.data',
    'degrade': 'fusionbox.cli.degrade',
    'pseudo-labels': 'fusionbox.cli.pseudo_labels',
    'fuse': 'fusionbox.cli.fuse',
    'models': 'fusionbox.cli.models',
    'compare': 'fusionbox.cli.compare',
    'export': 'fusionbox.cli.export',
    'downstream': 'fusionbox.cli.downstream',
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``command`` alone: a subcommand's module may
    import torch and the models while registering its options (task names from the plugins,
    export formats), which costs seconds that ``fusionbox metrics`` should not pay."""
    parser = argparse.ArgumentParser(
        prog='fusionbox', description='FusionBox: all-in-one multi-modal image fusion toolbox.'
    )
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    names = [command] if command in COMMANDS else list(COMMANDS)
    for name in names:
        module = importlib.import_module(COMMANDS[name])
        module.register(subparsers)
    return parser


def _command(argv: list) -> str | None:
    """The subcommand named by ``argv`` (its first word when no option precedes it)."""
    return argv[0] if argv and not argv[0].startswith('-') else None


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
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
