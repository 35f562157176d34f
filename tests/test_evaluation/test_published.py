"""Published per-image tables as leaderboard rows: reading (with errors that name the file and
the cell), ranking computed methods among published ones only under the matching protocol,
the protocol check, `--overwrite` keeping unrelated files, and sample-folder layouts."""

import argparse
import json

import cv2
import numpy as np
import pytest

from fusionbox.cli import leaderboard as cli
from fusionbox.evaluation.leaderboard import (
    evaluate_methods,
    identify_protocol,
    parse_dataset,
    rank_with_published,
    read_published,
    write_leaderboard,
)
from fusionbox.evaluation.leaderboard.ranking import build_leaderboard
from fusionbox.utils.paths import shared_data_root

# (method, image) -> (Entropy, Cross_entropy); EN higher is better, CE lower is better
PUBLISHED = {
    ('P1', 'a'): (7.0, 1.0),
    ('P1', 'b'): (7.2, 1.2),
    ('P2', 'a'): (6.0, 0.5),
    ('P2', 'b'): (6.2, 0.7),
    ('P3', 'a'): (5.0, 2.0),
    ('P3', 'b'): (5.2, 2.2),
}


def _write_table(path, cells=PUBLISHED, names=('Entropy', 'Cross_entropy')):
    lines = ['image,method,metric,value']
    for (method, image), values in cells.items():
        lines += [f'{image},{method},{n},{v!r}' for n, v in zip(names, values)]
    path.write_text('\n'.join(lines) + '\n')
    return path


def _computed(method, values):
    return [
        {'dataset': 'toy', 'method': method, 'stem': stem, 'EN': en, 'CE': ce}
        for stem, (en, ce) in values.items()
    ]


def test_read_published_maps_names_and_tells_the_protocol(tmp_path):
    table = read_published(_write_table(tmp_path / 't.csv'))
    assert table.protocol == 'vifb' and table.metrics == ['EN', 'CE']
    assert table.methods == ['P1', 'P2', 'P3'] and len(table.rows) == 6
    row = next(r for r in table.rows if r['method'] == 'P2' and r['stem'] == 'b')
    assert row['EN'] == 6.2 and row['CE'] == 0.7 and row['origin'] == 'published'
    assert identify_protocol(['Entropy', 'Qabf']) == 'vifb'
    assert identify_protocol(['EN', 'Qabf']) is None  # plain names do not tell
    plain = _write_table(tmp_path / 'plain.csv', names=('EN', 'SD'))
    assert read_published(plain, 'tang').metrics == ['EN', 'SD']


@pytest.mark.parametrize(
    'text, protocol, match',
    [
        ('image,method,value\na,P1,1\n', None, r'bad\.csv: .*columns.*metric missing'),
        (
            'image,method,metric,value\na,P1,Entropy,x\n',
            None,
            r'bad\.csv, line 2: P1 / a / Entropy',
        ),
        (
            'image,method,metric,value\na,P1,Entropy,1\na,P1,Entropy,2\n',
            None,
            r'line 3: P1 / a / Entropy repeated',
        ),
        (
            'image,method,metric,value\na,P1,Entropy,1\na,P1,Qabf,2\nb,P1,Entropy,1\n',
            None,
            r'P1 / b lacks Qabf',
        ),
        ('image,method,metric,value\na,P1,EN,1\n', None, r'cannot tell which evaluator'),
        ('image,method,metric,value\na,P1,Entropy,1\n', 'tang', r"those of the 'vifb'"),
        ('image,method,metric,value\na,P1,Qcb,1\n', 'tang', r"'Qcb'.*not defined under"),
        ('', None, r'columns'),
    ],
)
def test_bad_published_tables_are_named(tmp_path, text, protocol, match):
    path = tmp_path / 'bad.csv'
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        read_published(path, protocol)


def test_computed_methods_are_ranked_among_the_published(tmp_path):
    table = read_published(_write_table(tmp_path / 't.csv'))
    mine = _computed('Mine', {'a': (6.5, 0.4), 'b': (6.7, 0.6)})
    board = rank_with_published(mine, ['EN', 'CE'], table, 'vifb')
    entries = board['tables']['toy']
    # EN means: P1 7.1, Mine 6.6, P2 6.1, P3 5.1; CE means: Mine 0.5, P2 0.6, P1 1.1, P3 2.1
    assert [e['method'] for e in entries] == ['Mine', 'P1', 'P2', 'P3']
    ranks = {e['method']: e['ranks'] for e in entries}
    assert ranks['Mine'] == {'EN': 2, 'CE': 1} and ranks['P1'] == {'EN': 1, 'CE': 3}
    assert [e['avg_rank'] for e in entries] == [1.5, 2.0, 2.5, 4.0]
    assert {e['method']: e['origin'] for e in entries} == {
        'Mine': 'computed',
        'P1': 'published',
        'P2': 'published',
        'P3': 'published',
    }
    assert entries[0]['values']['EN'] == pytest.approx(6.6) and entries[0]['n_images'] == 2
    assert board['checks'] == {}
    # excluding a published method removes it
    fewer = rank_with_published(mine, ['EN', 'CE'], table, 'vifb', exclude=['P1'])
    assert [e['method'] for e in fewer['tables']['toy']] == ['Mine', 'P2', 'P3']


def test_a_computed_method_that_is_published_takes_its_row(tmp_path):
    table = read_published(_write_table(tmp_path / 't.csv'))
    twin = _computed('P2', {'a': (6.0, 0.5), 'b': (6.2 * (1 + 1e-6), 0.7)})
    board = rank_with_published(twin, ['EN', 'CE'], table, 'vifb')
    entries = board['tables']['toy']
    assert [(e['method'], e['origin']) for e in entries].count(('P2', 'computed')) == 1
    assert len(entries) == 3  # its published row is not ranked twice
    check = board['checks']['P2']
    alone = build_leaderboard(table.rows, ['EN', 'CE'], 'vifb')['tables']['published']
    assert check['published_place'] == [e['method'] for e in alone].index('P2') + 1
    assert check['place'] == check['published_place']
    assert check['avg_rank'] == check['published_avg_rank']
    assert check['rel_diff']['CE'] == 0
    assert check['rel_diff']['EN'] == pytest.approx(3.1e-6 / 6.1, rel=1e-6)  # of the means


def test_a_protocol_mismatch_is_refused(tmp_path):
    table = read_published(_write_table(tmp_path / 't.csv'))
    with pytest.raises(ValueError, match=r'published by .*VIFB.*--protocol vifb'):
        rank_with_published(_computed('M', {'a': (1, 1)}), ['EN'], table, 'cddfuse')
    with pytest.raises(ValueError, match=r'has no SD'):
        rank_with_published(_computed('M', {'a': (1, 1)}), ['EN', 'SD'], table, 'vifb')


def _smooth(seed, h=40, w=48):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 110 + 70 * np.sin(x / 4.0 + seed) * np.cos(y / 5.0 - seed) + rng.normal(0, 6, (h, w))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


@pytest.fixture
def toy(tmp_path):
    for d in ('ir', 'vi', 'avg', 'max'):
        (tmp_path / d).mkdir()
    for i, stem in enumerate(('a', 'b')):
        ir, vi = _smooth(2 * i), _smooth(2 * i + 1)
        cv2.imwrite(str(tmp_path / 'ir' / f'{stem}.png'), ir)
        cv2.imwrite(str(tmp_path / 'vi' / f'{stem}.png'), vi)
        cv2.imwrite(str(tmp_path / 'avg' / f'{stem}.png'), (ir // 2 + vi // 2))
        cv2.imwrite(str(tmp_path / 'max' / f'{stem}.png'), np.maximum(ir, vi))
    return tmp_path


def _run(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(['leaderboard'] + argv)
    return args.func(args)


def test_cli_published_rows_marked_and_protocol_refused(toy, capsys):
    table = _write_table(toy / 't.csv')
    argv = ['--dataset', f'toy:ivf:vi={toy / "vi"},ir={toy / "ir"}', '--method']
    argv += [f'avg={toy / "avg"}', '--published', str(table), '--workers', '1']
    assert _run(argv + ['--protocol', 'cddfuse', '-o', str(toy / 'x')]) == 2
    assert '--protocol vifb' in capsys.readouterr().err and not (toy / 'x').exists()
    assert _run(argv + ['--protocol', 'vifb', '-o', str(toy / 'board')]) == 0
    board = json.loads((toy / 'board' / 'leaderboard.json').read_text())
    assert board['metrics'] == ['EN', 'CE'] and board['published'] == str(table)
    origins = {e['method']: e['origin'] for e in board['tables']['toy']}
    assert origins == {'avg': 'computed', 'P1': 'published', 'P2': 'published', 'P3': 'published'}
    assert '***avg***' in (toy / 'board' / 'leaderboard.md').read_text()
    page = (toy / 'board' / 'leaderboard.html').read_text()
    assert page.count('data:image/png;base64,') == 1 + 2  # the figure, two thumbnails of avg
    assert 'class="name computed">avg<' in page


def test_overwrite_replaces_only_the_leaderboards_files(toy, capsys):
    out = toy / 'board'
    (out / 'fused' / 'keep').mkdir(parents=True)
    (out / 'fused' / 'keep' / 'x.png').write_bytes(b'mine')
    (out / 'notes.txt').write_text('unrelated')
    argv = ['--dataset', f'toy:ivf:ir={toy / "ir"},vi={toy / "vi"}', '--metrics', 'EN,SD']
    argv += ['--method', f'avg={toy / "avg"}', '--method', f'max={toy / "max"}', '-o', str(out)]
    assert _run(argv + ['--title', 'first']) == 0  # a folder without leaderboard files
    assert json.loads((out / 'leaderboard.json').read_text())['title'] == 'first'
    capsys.readouterr()
    assert _run(argv + ['--title', 'second']) == 1
    assert 'leaderboard.md exists' in capsys.readouterr().err
    assert _run(argv + ['--title', 'second', '--overwrite']) == 0
    assert json.loads((out / 'leaderboard.json').read_text())['title'] == 'second'
    assert (out / 'notes.txt').read_text() == 'unrelated'
    assert (out / 'fused' / 'keep' / 'x.png').read_bytes() == b'mine'
    assert not [p for p in toy.iterdir() if p.name.startswith('.board')]


def test_overwrite_replaces_a_models_folder_and_keeps_other_models(toy):
    from fusionbox.evaluation.leaderboard import staging_dir

    out = toy / 'board'
    for name in ('m1', 'm2'):
        (out / 'fused' / name).mkdir(parents=True)
        (out / 'fused' / name / 'old.png').write_bytes(b'old')
    ds = parse_dataset(f'toy:ivf:ir={toy / "ir"},vi={toy / "vi"}')
    rows, names = evaluate_methods([('avg', toy / 'avg')], [ds], 'standard', ['EN'], workers=1)
    board = build_leaderboard(rows, names, 'standard')
    staging = staging_dir(out)
    (staging / 'fused' / 'm1').mkdir(parents=True)
    (staging / 'fused' / 'm1' / 'new.png').write_bytes(b'new')
    with pytest.raises(FileExistsError, match='m1 exists'):
        write_leaderboard(board, out, staging=staging)
    assert not staging.exists() and (out / 'fused' / 'm1' / 'old.png').exists()
    staging = staging_dir(out)
    (staging / 'fused' / 'm1').mkdir(parents=True)
    (staging / 'fused' / 'm1' / 'new.png').write_bytes(b'new')
    write_leaderboard(board, out, overwrite=True, staging=staging)
    assert sorted(p.name for p in (out / 'fused' / 'm1').iterdir()) == ['new.png']
    assert (out / 'fused' / 'm2' / 'old.png').read_bytes() == b'old'
    assert not staging.exists()


@pytest.mark.parametrize('layout, suffixes', [('MEFB', ('_A', '_B')), ('Lytro', ('_A', '_B'))])
def test_sample_folder_layouts_are_accepted(tmp_path, layout, suffixes):
    data, fused = tmp_path / 'data', tmp_path / 'fused'
    fused.mkdir()
    for i, seq in enumerate(('s1', 's2')):
        (data / seq).mkdir(parents=True)
        a, b = _smooth(i), _smooth(i + 5)
        for suffix, img in zip(suffixes, (a, b)):
            cv2.imwrite(str(data / seq / f'{seq}{suffix}.png'), img)
        cv2.imwrite(str(fused / f'{seq}_method.png'), np.maximum(a, b))
    ds = parse_dataset(f'{layout}=data', tmp_path)
    assert ds.task == {'MEFB': 'mef', 'Lytro': 'mff'}[layout]
    assert [s for s, _, _ in ds.samples()] == ['s1', 's2']
    rows, _ = evaluate_methods([('m', fused)], [ds], 'standard', ['EN', 'SD'], workers=1)
    assert [(r['stem'], r['dataset']) for r in rows] == [('s1', layout), ('s2', layout)]
    assert all(r['EN'] > 0 for r in rows)


VIFB = shared_data_root() / 'ivf' / 'VIFB'
TABLE = shared_data_root() / 'reference' / 'vifb_published_all-methods.csv'


@pytest.mark.shared_data
@pytest.mark.skipif(
    not TABLE.is_file() or not (VIFB / 'fused_reference' / 'ADF').is_dir(),
    reason=f'shared VIFB data not found under {shared_data_root()} (set FUSIONBOX_SHARED_DATA)',
)
def test_adf_computed_here_lands_on_its_published_row(tmp_path, capsys):
    argv = ['--protocol', 'vifb', '--dataset', f'VIFB={VIFB}', '--published', str(TABLE)]
    argv += ['--method', f'ADF={VIFB / "fused_reference" / "ADF"}']
    argv += ['--metrics', 'EN,SD,SF,AG,MI,PSNR,RMSE', '-o', str(tmp_path / 'b')]
    assert _run(argv) == 0
    board = json.loads((tmp_path / 'b' / 'leaderboard.json').read_text())
    entries = board['tables']['VIFB']
    assert len(entries) == 25 and entries[0]['n_images'] == 21
    check = board['checks']['ADF']
    assert check['place'] == check['published_place']
    assert check['avg_rank'] == check['published_avg_rank']
    assert max(check['rel_diff'].values()) < 5e-5  # VIFB publishes ~5 significant digits
    assert '## Protocol check' in (tmp_path / 'b' / 'leaderboard.md').read_text()


def test_a_new_output_folder_gets_the_usual_mode(toy):
    import os

    ds = parse_dataset(f'toy:ivf:ir={toy / "ir"},vi={toy / "vi"}')
    rows, names = evaluate_methods([('avg', toy / 'avg')], [ds], 'standard', ['EN'], workers=1)
    write_leaderboard(build_leaderboard(rows, names, 'standard'), toy / 'new')
    umask = os.umask(0)
    os.umask(umask)
    assert (toy / 'new').stat().st_mode & 0o777 == 0o777 & ~umask
