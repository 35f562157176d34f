"""``fusionbox fuse`` on folders killed with SIGKILL (a real subprocess): only complete images are
left under their final names, and the next run fuses exactly the rest, the same images as an
uninterrupted run."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fusionbox.cli.main import main
from fusionbox.utils.image_io import list_images, read_image, write_image

from .test_pseudo_labels_crash_resume import wait_for

REPO = Path(__file__).resolve().parents[2]
COUNT = 24


@pytest.fixture(scope='module')
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('fuse_sources')
    rng = np.random.default_rng(0)
    for i in range(COUNT):
        for role in ('ir', 'vi'):
            write_image(root / role / f'p{i:02d}.png', rng.random((96, 128)))
    return root


def fuse_command(tiny_checkpoint, root: Path, out: Path) -> list:
    return [
        'fuse',
        '--task',
        'ivf',
        '--config',
        tiny_checkpoint['config'],
        '--checkpoint',
        str(tiny_checkpoint['checkpoint']),
        '--source',
        f'ir={root / "ir"}',
        '--source',
        f'vi={root / "vi"}',
        '-o',
        str(out),
    ]


@pytest.mark.slow
def test_a_killed_folder_run_leaves_complete_files_and_resumes_where_it_stopped(
    tiny_checkpoint, folders, tmp_path, capsys
):
    out = tmp_path / 'out'
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    cmd = [sys.executable, '-m', 'fusionbox.cli.main', *fuse_command(tiny_checkpoint, folders, out)]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: len(list_images(out)) >= 2 if out.is_dir() else False)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = list_images(out)
    assert 2 <= len(kept) < COUNT, 'the kill came too late to interrupt the run'
    for path in kept.values():  # truncated or empty PNGs would be refused
        assert read_image(path).shape == (96, 128, 1)

    assert main(fuse_command(tiny_checkpoint, folders, out)) == 0
    summary = capsys.readouterr().out
    assert f'fused {COUNT - len(kept)} ' in summary
    assert f'kept {len(kept)} existing' in summary and 'failed 0' in summary

    reference = tmp_path / 'reference'
    assert main(fuse_command(tiny_checkpoint, folders, reference)) == 0
    assert sorted(list_images(out)) == sorted(list_images(reference))
    for stem, path in list_images(reference).items():
        assert np.array_equal(read_image(path), read_image(out / f'{stem}.png')), stem
