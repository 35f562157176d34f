"""``fusionbox metrics`` on a folder holding bad samples: each is reported on one line naming
its files and skipped, the good ones are scored exactly as in a folder without the bad ones,
the summary counts the skipped ones and the exit status is 1; worker processes and the serial
run agree."""

import argparse
import subprocess
import sys

import cv2
import numpy as np
import pytest

from fusionbox.cli import metrics as cli
from fusionbox.evaluation.batch import BadSample, SampleJob, evaluate_samples
from fusionbox.evaluation.functional import get_metric
from fusionbox.evaluation.io import read_for_protocol

GOOD = ('00', '01', '02')
METRICS = 'EN,SD,Qabf,SSIM'


def _image(seed, h=24, w=32):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 4.0 + seed) * np.cos(y / 3.0 - seed) + rng.normal(0, 8, (h, w))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def _write_sample(root, folder, stem, seed, fused_shape=(24, 32)):
    ir, vi = _image(2 * seed), _image(2 * seed + 1)
    cv2.imwrite(str(root / folder / 'ir' / f'{stem}.png'), ir)
    cv2.imwrite(str(root / folder / 'vi' / f'{stem}.png'), vi)
    fused = (ir // 2 + vi // 2) if fused_shape == ir.shape else _image(seed, *fused_shape)
    return root / folder / 'fused' / f'{stem}.png', fused


@pytest.fixture
def folders(tmp_path):
    """``clean/``: three good samples; ``mixed/``: the same three plus four bad ones."""
    for folder in ('clean', 'mixed'):
        for d in ('ir', 'vi', 'fused'):
            (tmp_path / folder / d).mkdir(parents=True)
        for k, stem in enumerate(GOOD):
            path, fused = _write_sample(tmp_path, folder, stem, k)
            cv2.imwrite(str(path), fused)
    mixed = tmp_path / 'mixed'
    for k, stem in enumerate(('03', '04', '05', '06'), start=3):
        _write_sample(tmp_path, 'mixed', stem, k)
    (mixed / 'fused' / '03.png').write_bytes(b'')  # zero bytes
    ok, jpeg = cv2.imencode('.jpg', _image(9))
    (mixed / 'fused' / '04.jpg').write_bytes(jpeg.tobytes()[: len(jpeg) * 2 // 3])  # truncated
    (mixed / 'fused' / '05.png').write_text('not an image')  # unreadable
    path, small = _write_sample(tmp_path, 'mixed', '06', 6, fused_shape=(20, 32))
    cv2.imwrite(str(path), small)  # 32x20 fused, 32x24 sources
    return tmp_path


def _run(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(['metrics'] + argv)
    return args.func(args)


def _argv(root, out, workers):
    argv = ['--source', f'ir={root / "ir"}', '--source', f'vi={root / "vi"}']
    argv += ['--fused', str(root / 'fused'), '--metrics', METRICS, '--workers', str(workers)]
    return argv + ['-o', str(out)]


@pytest.mark.parametrize('workers', [1, 2])
def test_bad_samples_are_reported_and_skipped(folders, capsys, workers):
    clean, mixed = folders / 'clean', folders / 'mixed'
    assert _run(_argv(clean, folders / 'clean.csv', workers)) == 0
    capsys.readouterr()
    assert _run(_argv(mixed, folders / 'mixed.csv', workers)) == 1
    captured = capsys.readouterr()
    # the good images' table is the clean folder's, value for value
    table = (folders / 'mixed.csv').read_text()
    assert table == (folders / 'clean.csv').read_text()
    lines = table.splitlines()
    assert len(lines) == 1 + 3 * 4 and [ln.split(',')[0] for ln in lines[1::4]] == list(GOOD)
    fused = read_for_protocol(mixed / 'fused' / '01.png')
    srcs = [read_for_protocol(mixed / s / '01.png') for s in ('ir', 'vi')]
    assert lines[5] == f'01,EN,{get_metric("EN")(fused)!r},'
    assert lines[7] == f'01,Qabf,{get_metric("Qabf")(fused, srcs)!r},'
    # one line per bad sample, naming its file(s)
    errors = [ln for ln in captured.err.splitlines() if ln.startswith('error: skipped')]
    fused_dir = mixed / 'fused'
    assert errors == [
        f'error: skipped 03: cannot read image {fused_dir / "03.png"}: the file is empty '
        '(0 bytes)',
        f'error: skipped 04: cannot read image {fused_dir / "04.jpg"}: truncated JPEG (no '
        'end-of-image marker)',
        f'error: skipped 05: cannot read image {fused_dir / "05.png"}: not an image file (no '
        'PNG, JPEG, TIFF, BMP or WebP signature)',
        f'error: skipped 06: image sizes differ: {mixed / "ir" / "06.png"} (32x24), '
        f'{mixed / "vi" / "06.png"} (32x24), {fused_dir / "06.png"} (32x20)',
    ]
    assert captured.err.splitlines()[-1] == (
        'error: 4 of 7 sample(s) skipped as bad (listed above): 03, 04, 05, 06'
    )
    summary = captured.out.splitlines()
    assert summary[0] == '# 3 images, 4 skipped (bad samples), task ivf, protocol standard'
    assert 'Traceback' not in captured.err


def test_only_bad_samples_write_nothing(folders, capsys):
    mixed = folders / 'mixed'
    for stem in GOOD:
        (mixed / 'fused' / f'{stem}.png').unlink()
    out = folders / 'none.csv'
    assert _run(_argv(mixed, out, 1)) == 1
    err = capsys.readouterr().err.splitlines()
    assert len([ln for ln in err if ln.startswith('error: skipped')]) == 4
    assert err[-1] == 'error: no fused image could be scored'
    assert not out.exists()


def test_workers_return_the_serial_bad_samples(folders):
    mixed = folders / 'mixed'
    jobs = [
        SampleJob(
            stem,
            (mixed / 'ir' / f'{stem}.png', mixed / 'vi' / f'{stem}.png'),
            (next((mixed / 'fused').glob(f'{stem}.*')),),
            ('ir', 'vi'),
        )
        for stem in ('00', '03', '01', '06')
    ]
    serial = evaluate_samples(jobs, ['EN', 'CC'], 'cddfuse', workers=1, skip_bad=True)
    parallel = evaluate_samples(jobs, ['EN', 'CC'], 'cddfuse', workers=2, skip_bad=True)
    assert parallel == serial
    assert [type(r) for r in serial] == [list, BadSample, list, BadSample]
    assert serial[1] == BadSample(
        '03', f'cannot read image {mixed / "fused" / "03.png"}: the file is empty (0 bytes)'
    )
    assert serial[3].key == '06' and serial[3].reason.startswith('image sizes differ: ')
    assert set(serial[0][0][0]) == {'EN', 'CC'}
    # without skip_bad a file that cannot be read raises, naming it
    with pytest.raises(OSError, match='03.png: the file is empty'):
        evaluate_samples(jobs, ['EN'], 'cddfuse', workers=1)


def test_the_command_in_a_subprocess(folders):
    mixed, out = folders / 'mixed', folders / 'sub.csv'
    cmd = [sys.executable, '-m', 'fusionbox.cli.main', 'metrics', *_argv(mixed, out, 2)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.count('error: skipped') == 4 and '03.png' in proc.stderr
    assert '# 3 images, 4 skipped (bad samples)' in proc.stdout
    assert out.read_text().splitlines()[1].startswith('00,EN,')
    assert len(out.read_text().splitlines()) == 1 + 3 * 4
