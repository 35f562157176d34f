"""Atomic writes killed with SIGKILL (real subprocesses): the targets stay complete, the killed
writer's temporary is removed by the next write of its target, a live writer's is kept."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from fusionbox.utils.image_io import read_image

from .test_pseudo_labels_crash_resume import wait_for

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}

#: Writes part of ``argv[1]``'s new content, prints its temporary, then waits to be killed.
STALLED_WRITER = """
import sys, time
from fusionbox.utils.io import atomic_path
with atomic_path(sys.argv[1], overwrite=True) as tmp:
    tmp.write_text('half of the new')
    print(tmp, flush=True)
    time.sleep(300)
"""
#: Writes ``argv[1]`` completely.
WRITER = """
import sys
from fusionbox.utils.io import atomic_write_text
atomic_write_text(sys.argv[1], 'new, complete', overwrite=True)
"""
#: A job rewriting, in turn, JSON files, PNG images and arrays streamed to the temporary as a
#: checkpoint is (``argv[2]`` passes; 0: until killed).
JOB = """
import itertools, sys, time
from pathlib import Path
import numpy as np
from fusionbox.utils.image_io import write_image
from fusionbox.utils.io import atomic_path, atomic_write_json
out, passes = Path(sys.argv[1]), int(sys.argv[2])
image = np.random.default_rng(0).random((512, 512))
for i in itertools.count() if passes == 0 else range(3 * passes):
    atomic_write_json(out / f'r{i % 3}.json', {'i': i, 'payload': 'x' * 2_000_000}, overwrite=True)
    write_image(out / f'i{i % 3}.png', image, overwrite=True)
    with atomic_path(out / f'a{i % 3}.npy', overwrite=True) as tmp, open(tmp, 'wb') as f:
        for _ in range(32):  # 4 MB in 32 writes of 128 kB, streamed slowly
            np.save(f, np.full((1024, 32), i, np.float32))
            time.sleep(0.004)
"""


def python(code: str, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, '-c', code, *map(str, args)], cwd=REPO, env=ENV, text=True, **kwargs
    )


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def hidden(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith('.'))


def test_a_killed_writer_leaves_the_old_file_and_its_temporary_goes_at_the_next_write(tmp_path):
    target = tmp_path / 'summary.json'
    target.write_text('old, complete')
    killed = python(STALLED_WRITER, target, stdout=subprocess.PIPE)
    killed_tmp = Path(killed.stdout.readline().strip())
    kill(killed)
    assert target.read_text() == 'old, complete'
    assert hidden(tmp_path) == [killed_tmp.name]
    assert killed_tmp.name.startswith(f'.summary.{killed.pid}-')

    live = python(STALLED_WRITER, target, stdout=subprocess.PIPE)  # another writer, mid-write
    try:
        live_tmp = Path(live.stdout.readline().strip())
        assert python(WRITER, target).wait(timeout=60) == 0  # the re-run
        assert target.read_text() == 'new, complete'
        assert hidden(tmp_path) == [live_tmp.name]  # the dead writer's went, the live one's kept
        assert live_tmp.read_text() == 'half of the new'
    finally:
        kill(live)
    assert python(WRITER, target).wait(timeout=60) == 0
    assert hidden(tmp_path) == [] and target.read_text() == 'new, complete'


def mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


def assert_complete(out: Path) -> None:
    for path in out.glob('r*.json'):
        record = json.loads(path.read_text())  # a truncated file would not parse
        assert len(record['payload']) == 2_000_000
    for path in out.glob('i*.png'):
        assert read_image(path).shape == (512, 512, 1)
    for path in out.glob('a*.npy'):
        with open(path, 'rb') as f:
            blocks = [np.load(f) for _ in range(32)]  # a truncated file raises
        assert len({float(b[0, 0]) for b in blocks}) == 1


def test_a_job_killed_at_any_moment_leaves_only_complete_files(tmp_path):
    killed, left = [], set()
    for delay in (0.0, 0.13, 0.29, 0.41, 0.57, 0.73):
        before = mtime(tmp_path / 'r0.json')
        job = python(JOB, tmp_path, 0)
        try:  # from its first write on
            assert wait_for(lambda b=before: mtime(tmp_path / 'r0.json') > b, timeout=60)
            time.sleep(delay)
        finally:
            kill(job)
        killed.append(job.pid)
        assert_complete(tmp_path)
        left.update(hidden(tmp_path))  # temporaries of the killed jobs: hidden, never read
    assert all(int(name.split('.')[2].split('-')[0]) in killed for name in left)
    assert python(JOB, tmp_path, 1).wait(timeout=120) == 0  # the re-run writes every target
    assert_complete(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        *(f'a{k}.npy' for k in range(3)),
        *(f'i{k}.png' for k in range(3)),
        *(f'r{k}.json' for k in range(3)),
    ]
