"""fusionbox.utils.io: existing files are refused unless ``overwrite=True``, replacement is atomic,
the mode follows the umask, and temporaries of dead writers are cleaned up at the next write."""

import json
import os
import stat
import subprocess
import sys

import pytest

from fusionbox.utils.errors import FusionBoxError
from fusionbox.utils.io import (
    HOST_TAG,
    OutputExistsError,
    _writer_alive,
    atomic_path,
    atomic_write_json,
    atomic_write_text,
    remove_stale_temporaries,
    temporary_name,
)


def hidden(folder) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith('.'))


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    return proc.pid


def test_the_default_refuses_an_existing_file_and_keeps_it(tmp_path):
    target = tmp_path / 'result.json'
    target.write_text('old')
    for write in (atomic_write_text, atomic_write_json):
        with pytest.raises(OutputExistsError) as info:
            write(target, {'new': 1} if write is atomic_write_json else 'new')
        expected = f'{target} exists; pass --overwrite (overwrite=True) to replace it'
        assert str(info.value) == expected
        assert isinstance(info.value, FileExistsError) and isinstance(info.value, FusionBoxError)
    with pytest.raises(OutputExistsError, match='result.json exists'):
        with atomic_path(target):
            raise AssertionError('the block must not run')
    assert target.read_text() == 'old'
    assert hidden(tmp_path) == []


def test_overwrite_replaces_atomically(tmp_path):
    target = tmp_path / 'table.md'
    target.write_text('old')
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_text('new')
        assert target.read_text() == 'old'  # untouched until the block succeeds
        assert tmp.parent == tmp_path and tmp.name.startswith(f'.table.{os.getpid()}-')
    assert target.read_text() == 'new'
    with pytest.raises(RuntimeError, match='failed'):
        with atomic_path(target, overwrite=True) as tmp:
            tmp.write_text('half')
            raise RuntimeError('failed')
    assert target.read_text() == 'new'
    atomic_write_json(target, {'a': [1, 2]}, overwrite=True)
    assert json.loads(target.read_text()) == {'a': [1, 2]}
    assert hidden(tmp_path) == []


def test_a_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / 'new.txt', 'x')
        atomic_write_text(tmp_path / 'new.txt', 'y', overwrite=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / 'new.txt').stat().st_mode) == 0o640


def test_temporaries_of_dead_writers_are_removed_at_the_next_write(tmp_path):
    target = tmp_path / 'a.b.png'
    gone = dead_pid()
    live = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
    try:
        names = {
            'dead': temporary_name(target, gone),
            'live': temporary_name(target, live.pid),
            'other target': temporary_name(tmp_path / 'c.png', gone),
            'other host': f'.a.b.{gone}-{int(HOST_TAG, 16) ^ 1:06x}-0123abcd.png',
            'not ours': f'.a.b.{gone}.png',
        }
        for name in names.values():
            (tmp_path / name).write_bytes(b'partial')
        atomic_write_text(target, 'complete')
        left = set(hidden(tmp_path))
        assert names['dead'] not in left
        assert left == {n for k, n in names.items() if k != 'dead'}
        assert target.read_text() == 'complete'
    finally:
        live.kill()
        live.wait()
    # the live writer has gone since this process listed the folder: removed at the next write
    atomic_write_text(target, 'again', overwrite=True)
    assert names['live'] not in hidden(tmp_path)
    assert remove_stale_temporaries(target) == []


def test_a_zombie_or_a_missing_process_is_not_a_live_writer():
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    try:
        for _ in range(200):  # exited, not reaped: a zombie
            state = open(f'/proc/{proc.pid}/stat').read().rpartition(')')[2].split()[0]
            if state == 'Z':
                break
            subprocess.run(['sleep', '0.05'])
        assert state == 'Z' and not _writer_alive(proc.pid)
    finally:
        proc.wait()
    assert not _writer_alive(proc.pid)
    assert _writer_alive(os.getpid()) and _writer_alive(1)  # pid 1: alive, maybe another user's


def test_a_temporary_under_this_process_pid_is_an_earlier_process(tmp_path):
    """A pid reused (containers start commands at the same pid): this process makes its
    temporaries after listing the folder, so a listed one is stale."""
    target = tmp_path / 'last_checkpoint'
    old = tmp_path / temporary_name(target)
    old.write_text('partial')
    atomic_write_text(target, 'iter_2.pth')
    assert hidden(tmp_path) == [] and target.read_text() == 'iter_2.pth'
