"""``fusionbox models``: the model zoo (``fusionbox/zoo/manifest.json``) and its default."""

from __future__ import annotations

import json


def _format(value) -> str:
    if isinstance(value, dict):
        return ', '.join(f'{k} {v}' for k, v in value.items()) or '-'
    if isinstance(value, list):
        return ','.join(map(str, value)) or '-'
    return '-' if value in (None, '') else str(value)


def run(args) -> int:
    from fusionbox.apis import zoo

    entries = zoo.list_entries()
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0
    if not entries:
        print(f'the model zoo is empty (no entry in {zoo.MANIFEST})')
        return 0
    for e in entries:
        mark = ' (default)' if e.default else ''
        print(f'{e.name}{mark}')
        rows = [
            ('tasks', e.tasks),
            ('objective', e.objective),
            ('NFE', e.nfe),
            ('params', e.params),
            ('file', e.weights),
            ('sha256', e.sha256),
            ('metrics', e.metrics),
            ('speed', e.speed),
        ]
        for key, value in rows:
            print(f'  {key:<10} {_format(value)}')
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser('models', help='list the model zoo (fusionbox fuse --model)')
    parser.add_argument('--json', action='store_true', help='print the entries as JSON')
    parser.set_defaults(func=run)
