"""Leaderboards from folders of fused images (tiny synthetic folders; VIFB when available)."""

import argparse
import csv
import json
import math

import cv2
import numpy as np
import pytest

from fusionbox.cli import leaderboard as cli
from fusionbox.evaluation.leaderboard import (
    build_leaderboard,
    evaluate_methods,
    parse_dataset,
    rank_values,
    write_leaderboard,
)
from fusionbox.utils.image_io import match_stem
from fusionbox.utils.paths import shared_data_root


def _run(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(['leaderboard'] + argv)
    return args.func(args)


def _smooth(seed, h=40, w=48):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 110 + 70 * np.sin(x / 4.0 + seed) * np.cos(y / 5.0 - seed) + rng.normal(0, 6, (h, w))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


@pytest.fixture
def folders(tmp_path):
    for d in ('ir', 'vi', 'avg', 'max', 'blur'):
        (tmp_path / d).mkdir()
    for i, stem in enumerate(('001', '002', '003')):
        ir, vi = _smooth(2 * i), _smooth(2 * i + 1)
        cv2.imwrite(str(tmp_path / 'ir' / f'{stem}.png'), ir)
        cv2.imwrite(str(tmp_path / 'vi' / f'{stem}.png'), vi)
        avg = ((ir.astype(int) + vi) // 2).astype(np.uint8)
        cv2.imwrite(str(tmp_path / 'avg' / f'{stem}_avg.png'), avg)
        cv2.imwrite(str(tmp_path / 'max' / f'{stem}.png'), np.maximum(ir, vi))
        cv2.imwrite(str(tmp_path / 'blur' / f'{stem}.png'), cv2.blur(avg, (5, 5)))
    return tmp_path


def test_rank_values_directions_and_ties():
    assert rank_values([3.0, 1.0, 2.0], True) == [1, 3, 2]
    assert rank_values([3.0, 1.0, 2.0], False) == [3, 1, 2]
    assert rank_values([1.0, 1.0, 0.0], True) == [1.5, 1.5, 3]
    assert rank_values([float('nan'), 1.0], False) == [2, 1]
    assert match_stem('carLight_ADF', {'carLight', 'car'}) == 'carLight'


def test_leaderboard_ranks_and_files(folders, capsys):
    out = folders / 'board'
    ds = f'toy:ivf:ir={folders / "ir"},vi={folders / "vi"}'
    argv = [
        '--protocol',
        'standard',
        '--dataset',
        ds,
        '--metrics',
        'SF,EN,MSE',
        '--method',
        f'avg={folders / "avg"}',
        '--method',
        f'max={folders / "max"}',
        '--method',
        f'blur={folders / "blur"}',
        '-o',
        str(out),
    ]
    assert _run(argv) == 0
    assert {p.name for p in out.iterdir()} == {
        f'leaderboard.{e}' for e in ('md', 'csv', 'json', 'html', 'png')
    }
    board = json.loads((out / 'leaderboard.json').read_text())
    entries = {e['method']: e for e in board['tables']['toy']}
    # blurring the average removes detail: lowest SF; MSE (lower is better) ranks by direction
    assert entries['blur']['ranks']['SF'] == 3
    mse = {m: e['values']['MSE'] for m, e in entries.items()}
    best_mse = min(mse, key=mse.get)
    assert entries[best_mse]['ranks']['MSE'] == 1 and 'MSE' in entries[best_mse]['best']
    for e in entries.values():
        assert e['n_images'] == 3
        assert e['avg_rank'] == pytest.approx(np.mean(list(e['ranks'].values())))
    assert [e['method'] for e in board['tables']['toy']] == sorted(
        entries, key=lambda m: (entries[m]['avg_rank'], m)
    )
    rows = list(csv.DictReader((out / 'leaderboard.csv').open()))
    assert len(rows) == 3 and rows[0]['position'] == '1'
    page = (out / 'leaderboard.html').read_text()
    assert 'sortTable' in page and 'class="best"' in page and 'MSE ↓' in page
    assert '**' in (out / 'leaderboard.md').read_text()
    assert (out / 'leaderboard.png').read_bytes()[:4] == b'\x89PNG'
    capsys.readouterr()
    assert _run(argv) == 1  # refuses an existing folder
    assert 'exists' in capsys.readouterr().err
    assert _run(argv + ['--overwrite']) == 0
    assert not [p for p in folders.iterdir() if p.name.startswith('.board')]  # no leftovers


def test_a_bad_fused_image_is_reported_and_its_sample_left_out(folders, capsys):
    (folders / 'max' / '002.png').write_bytes(b'')  # one method's image of one sample
    cv2.imwrite(str(folders / 'avg' / '003_avg.png'), np.zeros((20, 48), np.uint8))  # size
    out = folders / 'board'
    argv = [
        '--protocol',
        'standard',
        '--dataset',
        f'toy:ivf:ir={folders / "ir"},vi={folders / "vi"}',
    ]
    argv += ['--metrics', 'EN,SD', '--method', f'avg={folders / "avg"}']
    argv += ['--method', f'max={folders / "max"}', '-o', str(out)]
    assert _run(argv) == 1  # the table is written, the run says samples were skipped
    err = capsys.readouterr().err
    assert 'skipped 002 for every method' in err and str(folders / 'max' / '002.png') in err
    assert 'skipped 003 for every method' in err and 'sizes differ' in err
    assert '2 sample(s) skipped as bad' in err
    board = json.loads((out / 'leaderboard.json').read_text())
    entries = {e['method']: e for e in board['tables']['toy']}
    assert {e['n_images'] for e in entries.values()} == {1}  # both ranked on sample 001 only
    bad = []
    rows, _ = evaluate_methods(
        [('avg', folders / 'avg'), ('max', folders / 'max')],
        [parse_dataset(f'toy:ivf:ir={folders / "ir"},vi={folders / "vi"}', folders)],
        'standard',
        ['EN'],
        log=lambda m: None,
        workers=2,
        bad_samples=bad,
    )
    assert [r['stem'] for r in rows] == ['001', '001'] and len(bad) == 2
    assert bad[0].startswith('toy/002: ') and bad[1].startswith('toy/003: ')


def test_two_datasets_overall_and_missing_samples(folders):
    for m in ('avg', 'max'):
        for ds in ('d1', 'd2'):
            (folders / m / ds).mkdir()
            for f in (folders / m).glob('*.png'):
                (folders / m / ds / f.name).write_bytes(f.read_bytes())
    (folders / 'max' / 'd2' / '003.png').unlink()
    datasets = [parse_dataset(f'{d}:ivf:ir=ir,vi=vi', folders) for d in ('d1', 'd2')]
    logs = []
    rows, names = evaluate_methods(
        [('avg', folders / 'avg'), ('max', folders / 'max')],
        datasets,
        'standard',
        ['EN', 'SD'],
        log=logs.append,
    )
    assert any('lacks 1 of 3' in m for m in logs)
    board = build_leaderboard(rows, names, 'standard')
    assert set(board['tables']) == {'d1', 'd2', 'overall'}
    d2 = {e['method']: e for e in board['tables']['d2']}
    assert d2['avg']['n_images'] == 2  # only the samples every method has
    overall = {e['method']: e for e in board['tables']['overall']}
    d1 = {e['method']: e for e in board['tables']['d1']}
    assert overall['avg']['values']['SD'] == pytest.approx(
        (d1['avg']['values']['SD'] + d2['avg']['values']['SD']) / 2
    )
    paths = write_leaderboard(board, folders / 'b2')
    assert paths['html'].exists()
    with pytest.raises(FileExistsError):
        write_leaderboard(board, folders / 'b2')


def test_bad_arguments(folders, capsys):
    base = ['-o', str(folders / 'x'), '--method', f'avg={folders / "avg"}']
    assert _run(base + ['--dataset', 'nolayout=foo']) == 2
    assert _run(base + ['--dataset', f't:ivf:ir={folders / "ir"}', '--protocol', 'bogus']) == 2
    assert _run(base + ['--dataset', f't:ivf:ir={folders / "ir"}', '--metrics', 'PSNR_ref']) == 2


ROOT = shared_data_root() / 'ivf' / 'VIFB'


@pytest.mark.shared_data
@pytest.mark.skipif(
    not (ROOT / 'fused_reference' / 'ADF').is_dir(),
    reason=f'shared VIFB data not found at {ROOT} (set FUSIONBOX_SHARED_DATA)',
)
def test_vifb_adf_against_averaging(tmp_path):
    stems = sorted(p.stem for p in (ROOT / 'ir').iterdir())[:3]
    avg_dir = tmp_path / 'avg'
    avg_dir.mkdir()
    for stem in stems:
        ir = cv2.imread(str(ROOT / 'ir' / f'{stem}.jpg'))
        vi = cv2.imread(str(ROOT / 'vi' / f'{stem}.jpg'))
        cv2.imwrite(
            str(avg_dir / f'{stem}.png'), ((ir.astype(np.uint16) + vi) // 2).astype(np.uint8)
        )
    ds = parse_dataset('VIFB=.', ROOT)  # the named layout
    rows, names = evaluate_methods(
        [('ADF', ROOT / 'fused_reference' / 'ADF'), ('avg', avg_dir)],
        [ds],
        'vifb',
        ['EN', 'SD', 'Qabf'],
        log=lambda m: None,
    )
    assert len(rows) == 2 * len(stems)
    board = build_leaderboard(rows, names, 'vifb')
    entries = {e['method']: e for e in board['tables']['VIFB']}
    assert entries['ADF']['n_images'] == len(stems)
    for m in names:
        assert sorted(e['ranks'][m] for e in entries.values()) == [1, 2]
    paths = write_leaderboard(board, tmp_path / 'board')
    assert 'ADF' in paths['md'].read_text()


CONFIG = 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'


def test_leaderboard_runs_a_model(folders, tmp_path, capsys):
    import torch
    from mmengine.config import Config

    from fusionbox.registry import MODELS
    from fusionbox.utils import register_all_modules

    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'meta': {}, 'state_dict': model.state_dict()}, ckpt)
    # a colour visible source: the model's pred_color is written
    vi = cv2.imread(str(folders / 'vi' / '001.png'), cv2.IMREAD_GRAYSCALE)
    colour = np.stack([vi, np.roll(vi, 3, 1), 255 - vi], -1)
    cv2.imwrite(str(folders / 'vi' / '001.png'), colour)
    out = folders / 'board_model'
    argv = [
        '--dataset',
        f'toy:ivf:ir={folders / "ir"},vi={folders / "vi"}',
        '--metrics',
        'EN,SD,Qabf',
        '--method',
        f'avg={folders / "avg"}',
        '--model',
        f'tiny={CONFIG}:{ckpt}',
        '-o',
        str(out),
    ]
    assert _run(argv) == 0
    fused = out / 'fused' / 'tiny' / 'toy'
    assert sorted(p.name for p in fused.iterdir()) == ['001.png', '002.png', '003.png']
    assert cv2.imread(str(fused / '001.png'), cv2.IMREAD_UNCHANGED).shape == (40, 48, 3)
    assert cv2.imread(str(fused / '002.png'), cv2.IMREAD_UNCHANGED).shape == (40, 48)
    board = json.loads((out / 'leaderboard.json').read_text())
    entries = {e['method']: e for e in board['tables']['toy']}
    assert set(entries) == {'avg', 'tiny'} and entries['tiny']['n_images'] == 3
    assert not [p for p in folders.iterdir() if p.name.startswith('.board_model')]
    # errors leave nothing behind
    capsys.readouterr()
    bad = argv[:-4] + [
        '--model',
        f'x={CONFIG}:{tmp_path / "missing.pth"}',
        '-o',
        str(tmp_path / 'b'),
    ]
    assert _run(bad) == 2
    assert 'checkpoint not found' in capsys.readouterr().err
    assert not list(tmp_path.glob('.b.*')) and not (tmp_path / 'b').exists()
    assert _run(['--dataset', 'toy:ivf:ir=.', '-o', str(tmp_path / 'c')]) == 2  # no method


def test_leaderboard_model_from_a_real_train_checkpoint(folders, tmp_path, tiny_checkpoint, capsys):
    import os

    import torch

    argv = ['--dataset', f'toy:ivf:ir={folders / "ir"},vi={folders / "vi"}', '--metrics', 'EN',
            '--method', f'avg={folders / "avg"}']  # fmt: skip
    model = f'tiny={tiny_checkpoint["config"]}:{tiny_checkpoint["checkpoint"]}'
    assert _run([*argv, '--model', model, '-o', str(tmp_path / 'ok')]) == 0
    assert len(list((tmp_path / 'ok' / 'fused' / 'tiny' / 'toy').glob('*.png'))) == 3

    class RunsCode:
        def __reduce__(self):
            return (os.system, (f'touch {tmp_path / "MARKER"}',))

    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': RunsCode()}, evil)
    capsys.readouterr()
    assert (
        _run([*argv, '--model', f'x={tiny_checkpoint["config"]}:{evil}', '-o', str(tmp_path / 'x')])
        == 2
    )
    assert 'evil.pth refused' in capsys.readouterr().err
    assert not (tmp_path / 'MARKER').exists() and not (tmp_path / 'x').exists()


def test_html_sort_keys_read_infinity_as_numbers():
    from fusionbox.evaluation.leaderboard import _js_number

    assert [_js_number(v) for v in (None, math.inf, -math.inf, 2.5)] == [
        '',
        'Infinity',
        '-Infinity',
        '2.5',
    ]
