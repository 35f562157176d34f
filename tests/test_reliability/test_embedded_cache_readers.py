"""The embedded benchmark cache is never swapped under a reader: another process asking for a
larger split writes a new folder beside the one being read (real subprocesses)."""

import os
import subprocess
import sys
from pathlib import Path

from fusionbox.datasets.embedded import build_embedded_split
from fusionbox.utils.image_io import read_image

REPO = Path(__file__).resolve().parents[2]
GROW = (
    'import sys; from fusionbox.datasets.embedded import build_embedded_split; '
    "print(build_embedded_split('mff', 'test', size=32, num_samples=int(sys.argv[1]), "
    'root=sys.argv[2]))'
)


def grow_in_another_process(root: Path, num_samples: int) -> Path:
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    proc = subprocess.run(
        [sys.executable, '-c', GROW, str(num_samples), str(root)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Path(proc.stdout.strip().splitlines()[-1])


def test_a_larger_request_elsewhere_leaves_the_read_folder_whole(tmp_path):
    folder = build_embedded_split('mff', 'test', size=32, num_samples=2, root=tmp_path)
    being_read = sorted(folder.rglob('*.png'))
    first = read_image(being_read[0])  # a reader is part-way through the split
    grown = grow_in_another_process(tmp_path, 3)
    assert grown == folder.with_name('test-n3')
    for path in being_read:  # the reader goes on: every file it listed is still there
        assert read_image(path).shape[:2] == (32, 32)
    assert (read_image(being_read[0]) == first).all()
    # the grown split starts with the same samples
    for path in being_read:
        grown_path = grown / path.relative_to(folder)
        assert grown_path.read_bytes() == path.read_bytes()
    assert len(list(grown.rglob('*.png'))) == len(being_read) // 2 * 3
    # later requests find the folder that holds enough, without generating again
    assert build_embedded_split('mff', 'test', size=32, num_samples=2, root=tmp_path) == folder
    assert build_embedded_split('mff', 'test', size=32, num_samples=3, root=tmp_path) == grown
    assert grow_in_another_process(tmp_path, 3) == grown
    assert sorted(p.name for p in folder.parent.iterdir()) == ['test', 'test-n3']
