"""``fusionbox list``: every registry and what is registered in it, plugins included."""

from __future__ import annotations

import json


def registry_contents() -> dict:
    """Map each registry's name to the sorted names registered in it (after loading plugins).

    Lazy ``locations`` are imported first so that the listing is complete (a location whose
    package does not exist yet is an extension point with nothing built in).
    """
    import importlib.util

    from fusionbox.registry import REGISTRIES
    from fusionbox.utils import register_all_modules

    register_all_modules()
    out = {}
    for name, registry in REGISTRIES.items():
        for location in registry._locations:
            if importlib.util.find_spec(location) is not None:
                importlib.import_module(location)
        out[name] = sorted(registry.module_dict)
    return out


def run(args) -> int:
    contents = registry_contents()
    if args.json:
        print(json.dumps(contents, indent=2, sort_keys=True))
        return 0
    for name, entries in contents.items():
        print(f'{name} ({len(entries)})')
        for entry in entries:
            print(f'  {entry}')
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser('list', help='list registries and their components')
    parser.add_argument(
        '--json',
        action='store_true',
        help='print one JSON object: registry name -> sorted component names',
    )
    parser.set_defaults(func=run)
