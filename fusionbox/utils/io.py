"""Atomic writes: a result is either fully written or not there, never half-written."""

from __future__ import annotations

import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def atomic_path(path, overwrite: bool = True):
    """Yield a temporary path beside ``path``; move it to ``path`` when the block succeeds.

    The file gets the permissions of a normally created file (0666 minus the umask). Without
    ``overwrite`` the final move refuses to replace a file, also one that appeared meanwhile.

    Args:
        path: the final file.
        overwrite: if False, refuse (FileExistsError naming the file) when ``path`` exists.
            Defaults to True.
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f'{path} exists; refusing to overwrite it')
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temporary(path)
    try:
        yield tmp
        if overwrite:
            os.replace(tmp, path)
        else:
            _move_no_clobber(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _new_temporary(path: Path) -> Path:
    """Create an empty hidden file beside ``path`` (mode 0666 minus the umask)."""
    for _ in range(100):
        tmp = path.with_name(f'.{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix}')
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f'no free temporary name beside {path}')


def _move_no_clobber(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # fails if path exists, atomically
    except FileExistsError:
        raise FileExistsError(f'{path} exists; refusing to overwrite it') from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(f'{path} exists; refusing to overwrite it') from None
        os.replace(tmp, path)


def atomic_write_text(path, text: str, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text)


def atomic_write_json(path, obj, overwrite: bool = True) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, default=_to_builtin) + '\n', overwrite)


def _to_builtin(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f'cannot serialise {type(obj).__name__}')
