"""``fusionbox metrics`` on small folders of images."""

import argparse
import csv

import cv2
import numpy as np
import pytest

from fusionbox.cli import metrics as cli


def _run(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(['metrics'] + argv)
    return args.func(args)


@pytest.fixture
def folders(tmp_path):
    rng = np.random.default_rng(0)
    for d in ('ir', 'vi', 'fused'):
        (tmp_path / d).mkdir()
    for stem in ('001', '002'):
        ir = rng.integers(0, 256, (24, 32), dtype=np.uint8)
        vi = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
        cv2.imwrite(str(tmp_path / 'ir' / f'{stem}.png'), ir)
        cv2.imwrite(str(tmp_path / 'vi' / f'{stem}.png'), vi)
        cv2.imwrite(str(tmp_path / 'fused' / f'{stem}_method.png'), ir // 2 + vi[..., 0] // 2)
    return tmp_path


def test_long_table_and_overwrite(folders, capsys):
    out = folders / 'm.csv'
    argv = [
        '--protocol',
        'tang',
        '--task',
        'ivf',
        '--source',
        f'ir={folders / "ir"}',
        '--source',
        f'vi={folders / "vi"}',
        '--fused',
        str(folders / 'fused'),
        '--metrics',
        'EN,Qabf,SSIM_ref',
        '-o',
        str(out),
    ]
    assert _run(argv) == 0
    rows = list(csv.DictReader(out.open()))
    assert {r['image'] for r in rows} == {'001_method', '002_method'}
    assert {r['metric'] for r in rows} == {'EN', 'Qabf'}  # SSIM_ref skipped: no --gt
    assert 'EN' in capsys.readouterr().out
    assert _run(argv) == 1  # refuses to overwrite
    assert 'exists' in capsys.readouterr().err
    assert _run(argv + ['--overwrite', '--format', 'md']) == 0
    assert out.read_text().startswith('| image | metric | value |')


def test_bad_arguments(folders, capsys):
    base = ['--source', f'ir={folders / "ir"}', '--fused', str(folders / 'fused')]
    assert _run(base + ['--protocol', 'nope']) == 2
    assert _run(base + ['--metrics', 'EI', '--protocol', 'cddfuse']) == 2
    assert _run(['--source', 'ir', '--fused', str(folders / 'fused')]) == 2
