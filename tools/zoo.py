"""Manage the model zoo (``fusionbox/zoo/manifest.json``; see :mod:`fusionbox.apis.zoo_tools`).

    python tools/zoo.py add NAME --config CFG --checkpoint CKPT [--default] [--tasks T ...]
        [--overwrite] [--metrics FILE.json] [--cfg-options KEY=VALUE ...] [--manifest PATH]
    python tools/zoo.py verify [--manifest PATH]
    python tools/zoo.py recipe NAME [--manifest PATH]

``add`` converts a ``tools/train.py`` checkpoint into weights-only safetensors, a standalone
config and a manifest entry; ``verify`` checks every entry's hash and that it builds and loads;
``recipe`` prints the commands that regenerate an entry.
"""

import argparse
import os
import sys

from mmengine.config import DictAction

PROG = 'tools/zoo.py'


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    add = sub.add_parser('add', help='add a trained checkpoint to the zoo')
    add.add_argument('name', help='entry name, e.g. fusionfm-lite')
    add.add_argument('--config', required=True, help='the training config of the checkpoint')
    add.add_argument('--checkpoint', required=True, help='a tools/train.py checkpoint (.pth)')
    add.add_argument('--default', action='store_true', help='make it the default model')
    add.add_argument('--tasks', nargs='+', help='tasks it fuses (default: all), e.g. ivf mif')
    add.add_argument('--overwrite', action='store_true', help='replace an entry of that name')
    add.add_argument('--metrics', metavar='FILE.json', help='measured metrics (and speed)')
    add.add_argument('--cfg-options', nargs='+', action=DictAction, help='as tools/train.py')
    sub.add_parser('verify', help='check every entry: hash, builds, loads')
    recipe = sub.add_parser('recipe', help='print the commands that regenerate an entry')
    recipe.add_argument('name')
    for p in (parser, *sub.choices.values()):  # before or after the command
        p.add_argument(
            '--manifest', default=argparse.SUPPRESS, help='the manifest (default: the shipped one)'
        )
    return parser


def main(argv=None) -> int:
    from fusionbox.apis import zoo_tools

    args = build_parser().parse_args(argv)
    manifest = getattr(args, 'manifest', None)
    try:
        if args.command == 'add':
            tasks = [t for item in args.tasks or [] for t in item.split(',') if t]
            zoo_tools.add_entry(
                args.name,
                args.config,
                args.checkpoint,
                manifest,
                default=args.default,
                tasks=tasks,
                overwrite=args.overwrite,
                cfg_options=args.cfg_options,
                metrics_file=args.metrics,
            )
            return 0
        if args.command == 'verify':
            problems = zoo_tools.verify_entries(manifest)
            if problems:
                print(f'{PROG}: error: {len(problems)} zoo model(s) failed', file=sys.stderr)
            return 1 if problems else 0
        print(zoo_tools.recipe_text(args.name, manifest))
        return 0
    except (OSError, ValueError, KeyError) as exc:  # bad input: one line, no traceback
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        print(f'{PROG} {args.command}: error: {exc}'.splitlines()[0], file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
