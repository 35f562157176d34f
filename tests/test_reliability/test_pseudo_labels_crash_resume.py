"""``fusionbox pseudo-labels --workers 2`` killed with SIGKILL (a real subprocess): no worker
outlives it, the outputs under their final names are complete, and the resumed run labels only
what is missing; a resumed run re-does the samples whose settings or source images changed; a bad
sample is reported and skipped while the others are labelled."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusionbox.cli.main import main
from fusionbox.utils.image_io import read_image

REPO = Path(__file__).resolve().parents[2]


def write_pairs(root: Path, count: int, size: int = 96) -> Path:
    """``count`` infrared / visible pairs of smooth random texture, ``s00.png``, ..."""
    rng = np.random.default_rng(0)
    for folder in ('ir', 'vi'):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(count):
        for folder in ('ir', 'vi'):
            image = cv2.GaussianBlur(rng.random((size, size)), (0, 0), 2)
            image = (image - image.min()) / np.ptp(image)
            cv2.imwrite(str(root / folder / f's{i:02d}.png'), np.uint8(image * 255))
    return root


def command(root: Path, out: Path, *extra) -> list:
    return [
        'pseudo-labels',
        '--task',
        'ivf',
        '--source',
        f'ir={root / "ir"}',
        '--source',
        f'vi={root / "vi"}',
        '-o',
        str(out),
        '--no-progress',
        *extra,
    ]


def children(pid: int) -> list:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try:
            fields = stat.read_text().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except OSError:
        return False
    return state != 'Z'


def wait_for(condition, timeout: float = 120.0, step: float = 0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


def assert_outputs_complete(out: Path) -> set:
    """Every output under its final name is whole; returns the finished stems."""
    finished = set()
    for record in (out / 'provenance').glob('*.json'):
        data = json.loads(record.read_text())  # a torn file would not parse
        assert read_image(data['label_path']).shape[:2] == (96, 96)
        finished.add(record.stem)
    for label in (out / 'labels').glob('*.png'):
        assert read_image(label).shape[:2] == (96, 96)  # truncated PNGs are refused
    return finished


@pytest.mark.slow
@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='needs /proc (Linux)')
def test_killed_with_workers_leaves_no_orphan_and_resumes(tmp_path, capsys):
    root, out = write_pairs(tmp_path, 8), tmp_path / 'out'
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    cmd = [sys.executable, '-m', 'fusionbox.cli.main', *command(root, out, '--workers', '2')]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert wait_for(lambda: any((out / 'provenance').glob('*.json'))), 'nothing labelled'
        workers = children(proc.pid)
        assert len(workers) >= 2  # the two workers (and multiprocessing's resource tracker)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert wait_for(lambda: not any(alive(pid) for pid in workers), timeout=30), [
        pid for pid in workers if alive(pid)
    ]
    finished = assert_outputs_complete(out)
    assert 0 < len(finished) < 8

    assert main(command(root, out)) == 0
    summary = capsys.readouterr().out
    assert f'labelled {8 - len(finished)} sample(s), skipped {len(finished)}' in summary
    assert len(assert_outputs_complete(out)) == 8


def test_resume_redoes_changed_settings_and_sources_and_skips_a_bad_sample(tmp_path, capsys):
    root, out = write_pairs(tmp_path, 3), tmp_path / 'out'
    fast = ('--priors', 'Average,ChooseMax', '--no-refine')
    assert main(command(root, out, *fast)) == 0
    assert 'labelled 3 sample(s), skipped 0' in capsys.readouterr().out
    assert main(command(root, out, *fast)) == 0
    assert 'labelled 0 sample(s), skipped 3' in capsys.readouterr().out
    # other priors: every sample is redone, with the new candidates
    assert main(command(root, out, '--priors', 'Average,PCA', '--no-refine')) == 0
    assert 'labelled 3 sample(s), skipped 0' in capsys.readouterr().out
    record = json.loads((out / 'provenance' / 's01.json').read_text())
    assert set(record['candidates']) == {'Average', 'PCA'}
    # one source image changed: that sample alone
    image = cv2.imread(str(root / 'vi' / 's01.png'), cv2.IMREAD_UNCHANGED)
    cv2.imwrite(str(root / 'vi' / 's01.png'), 255 - image)
    assert main(command(root, out, '--priors', 'Average,PCA', '--no-refine')) == 0
    assert 'labelled 1 sample(s), skipped 2' in capsys.readouterr().out
    # a corrupt source: reported by name and skipped, the rest labelled, exit status 1
    (root / 'ir' / 's00.png').write_bytes(b'\x89PNG\r\n\x1a\n broken')
    assert main(command(root, out / 'again', *fast)) == 1
    captured = capsys.readouterr()
    assert 'labelled 2 sample(s), skipped 0 finished one(s), failed 1' in captured.out
    assert 's00: cannot read image' in captured.err and 's00.png' in captured.err
    assert '1 sample(s) failed: s00' in captured.err
    assert sorted(p.stem for p in (out / 'again' / 'labels').iterdir()) == ['s01', 's02']


@pytest.mark.parametrize('limit', ['0', '-1'])
def test_a_limit_below_one_is_refused(tmp_path, capsys, limit):
    root = write_pairs(tmp_path, 2)
    assert main(command(root, tmp_path / 'out', '--limit', limit)) == 1
    assert f'--limit must be a positive number of samples, got {limit}' in capsys.readouterr().err
