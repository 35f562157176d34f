"""Atomic writes: a result is either fully written or not there, never half-written, and an
existing file is replaced only when the caller says ``overwrite=True``.

A write goes to a hidden temporary beside the target, ``.<stem>.<pid>-<host>-<random><suffix>``
(the writer's process id and a tag of its host), which is then moved onto the target. A writer
killed mid-write (SIGKILL, power loss) leaves its temporary behind; the next write of the same
target deletes the temporaries whose writer no longer runs on this host, never a live writer's.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import uuid
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List

import numpy as np

from .errors import OutputExistsError  # raised here; re-exported for the callers' imports

#: This host's tag in temporary names: temporaries of other hosts (a shared file system) are
#: never judged stale here.
HOST_TAG = f'{zlib.crc32(socket.gethostname().encode()) & 0xFFFFFF:06x}'
#: What follows ``.<stem>.`` in a temporary name, before the target's suffix.
_TEMPORARY_TAG = re.compile(r'(\d+)-([0-9a-f]{6})-[0-9a-f]{8}')
#: Temporary-looking names per folder, listed once per process at its first write there (a
#: listing per write would cost O(files) each in folders of thousands of results).
_CANDIDATES: Dict[Path, List[str]] = {}
_LOCK = threading.Lock()


def exists_error(path) -> OutputExistsError:
    """The error for an existing ``path`` that may not be replaced."""
    return OutputExistsError(f'{path} exists; pass --overwrite (overwrite=True) to replace it')


@contextmanager
def atomic_path(path, overwrite: bool = False):
    """Yield a temporary path beside ``path``; move it to ``path`` when the block succeeds.

    The file gets the permissions of a normally created file (0666 minus the umask). Without
    ``overwrite`` an existing file is refused before the block runs, and the final move is a
    no-clobber link, so a file that appears meanwhile is not replaced either. Stale temporaries
    of ``path`` (their writer was killed) are deleted first.

    Args:
        path: the final file.
        overwrite: replace an existing ``path``; else :class:`OutputExistsError` naming it.
            Defaults to False.
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise exists_error(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
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


def temporary_name(path: Path, pid: int | None = None) -> str:
    """A fresh temporary name for ``path`` written by process ``pid`` (None: this one)."""
    tag = f'{os.getpid() if pid is None else pid}-{HOST_TAG}-{uuid.uuid4().hex[:8]}'
    return f'.{path.stem}.{tag}{path.suffix}'


def _new_temporary(path: Path) -> Path:
    """Create an empty hidden file beside ``path`` (mode 0666 minus the umask)."""
    for _ in range(100):
        tmp = path.with_name(temporary_name(path))
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
        raise exists_error(path) from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise exists_error(path) from None
        os.replace(tmp, path)


def _writer_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not; unsure counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rpartition(')')[2].split()[0]
    except (OSError, IndexError):
        return True
    return state != 'Z'


def remove_stale_temporaries(path) -> List[Path]:
    """Delete the temporaries of ``path`` whose writer no longer runs on this host; return them.

    The folder is listed once per process; temporaries of live writers, of other hosts and of
    other targets are left alone.
    """
    path = Path(path)
    folder = path.parent.resolve()
    with _LOCK:
        if folder not in _CANDIDATES:
            try:
                with os.scandir(folder) as entries:
                    names = [e.name for e in entries if e.name.startswith('.')]
            except OSError:
                names = []
            _CANDIDATES[folder] = [n for n in names if n.count('.') >= 2]
        candidates = _CANDIDATES[folder]
        prefix, suffix = f'.{path.stem}.', path.suffix
        removed = []
        for name in [n for n in candidates if n.startswith(prefix) and n.endswith(suffix)]:
            match = _TEMPORARY_TAG.fullmatch(name[len(prefix) : len(name) - len(suffix)])
            if match is None or match[2] != HOST_TAG:
                continue
            pid = int(match[1])
            # this process makes its temporaries after the listing: a listed one under its pid
            # is an earlier process's (a pid reused, as in containers)
            if pid != os.getpid() and _writer_alive(pid):
                continue
            candidates.remove(name)
            try:
                (folder / name).unlink()
            except FileNotFoundError:
                continue
            removed.append(folder / name)
    return removed


def atomic_write_text(path, text: str, overwrite: bool = False) -> None:
    """Write ``text`` to ``path`` atomically; an existing file only with ``overwrite``."""
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text)


def atomic_write_json(path, obj, overwrite: bool = False) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically; an existing file only with
    ``overwrite``."""
    atomic_write_text(path, json.dumps(obj, indent=2, default=_to_builtin) + '\n', overwrite)


def _to_builtin(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f'cannot serialise {type(obj).__name__}')
