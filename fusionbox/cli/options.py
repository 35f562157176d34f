"""Command-line values the subcommands share."""

from __future__ import annotations

from typing import Dict, Iterable, Type


def parse_named_folders(
    specs: Iterable[str] | None,
    option: str,
    label: str = 'NAME',
    error: Type[Exception] = ValueError,
) -> Dict[str, str]:
    """``NAME=DIR`` values of a repeated option -> ``{name: dir}`` in the order given.

    Args:
        specs: the option's values (None: none given).
        option: the option as typed, for the messages (e.g. ``'--source'``).
        label: what the name stands for, for the messages (``'NAME'``, ``'ROLE'``).
        error: the exception raised for a malformed or repeated value. Defaults to ValueError.
    """
    out: Dict[str, str] = {}
    for spec in specs or []:
        name, sep, folder = spec.partition('=')
        if not sep or not name or not folder or '/' in name:
            raise error(f'{option} expects {label}=DIR, got {spec!r}')
        if name in out:
            raise error(f'{option} names {name!r} twice')
        out[name] = folder
    return out
