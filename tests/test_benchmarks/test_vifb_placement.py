"""benchmarks/vifb_placement.py: ADF's published fused images, scored by FusionBox's ``vifb``
protocol and placed among the other 24 published methods, land on ADF's published row."""

import csv

import numpy as np
import pytest

from .conftest import SHARED, load_benchmark, needs_shared_data

ROOT = SHARED
ADF = ROOT / 'ivf' / 'VIFB' / 'fused_reference' / 'ADF'
pytestmark = needs_shared_data


@pytest.fixture(scope='module')
def bench():
    return load_benchmark('vifb_placement')


@pytest.fixture(scope='module')
def published(bench):
    return bench.load_published(ROOT)


@pytest.fixture(scope='module')
def adf_rows(bench):
    return bench.score_folder(ADF, 'ADF (FusionBox)', ROOT, threads=2)


def test_published_table_shape(bench, published):
    assert len(published) == 25 * 21
    assert len({r['method'] for r in published}) == 25
    assert all(set(bench.METRICS) <= set(r) for r in published)
    assert len(bench.METRICS) == 13


def test_adf_lands_on_its_published_row(bench, published, adf_rows):
    ours = bench.place(published, adf_rows, exclude=['ADF'])
    theirs = bench.build_leaderboard(published, bench.METRICS, 'vifb')['tables']['VIFB']
    adf = next(e for e in theirs if e['method'] == 'ADF')
    entry = next(e for e in ours['tables']['VIFB'] if e['method'] == 'ADF (FusionBox)')
    # the means match the published ones to their ~5 significant digits
    for m in bench.METRICS:
        assert entry['values'][m] == pytest.approx(adf['values'][m], rel=2e-4, abs=1e-6), m
    assert entry['ranks'] == adf['ranks']
    assert entry['avg_rank'] == pytest.approx(adf['avg_rank'], abs=1e-9)
    assert ours['place'] == [e['method'] for e in theirs].index('ADF') + 1
    assert len(ours['tables']['VIFB']) == 25
    # directions from the metric specs: CE, RMSE, Qcv lower is better
    lower = {m for m, up in ours['higher_is_better'].items() if not up}
    assert lower == {'CE', 'RMSE', 'Qcv'}


def test_main_writes_tables_and_figure(bench, tmp_path, adf_rows, monkeypatch):
    monkeypatch.setattr(
        bench,
        'score_folder',
        lambda folder, name, root, threads=None: [dict(r, method=name) for r in adf_rows],
    )
    out = tmp_path / 'out'
    assert bench.main(['--fused', f'mine={ADF}', '--out', str(out)]) == 0
    text = (out / 'placement.md').read_text()
    assert '| mine | ' in text and '| **mine** |' in text
    with open(out / 'placement.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 26 and {r['entry'] for r in rows} == {'mine'}
    mine = next(r for r in rows if r['method'] == 'mine')
    others = [float(r['avg_rank']) for r in rows]
    assert int(mine['position']) == 1 + sum(a < float(mine['avg_rank']) for a in others)
    assert (out / 'placement.png').stat().st_size > 0


def test_missing_results_are_named(bench, tmp_path):
    (tmp_path / 'carLight.png').write_bytes(next(ADF.iterdir()).read_bytes())
    with pytest.raises(FileNotFoundError, match=r'lacks the fused result of 20 VIFB pair'):
        bench.score_folder(tmp_path, 'x', ROOT)


def test_model_entry_fuses_every_pair_infrared_first(bench, tmp_path, monkeypatch):
    calls = []

    class StubInferencer:
        def __init__(self, model, checkpoint=None, device='cpu'):
            calls.append(('init', model, checkpoint, device))

        def __call__(self, samples, task, steps=None):
            (sources,) = samples  # a list of one sample
            calls.append((tuple(p.split('/')[-2] for p in sources), task, steps))
            return [np.full((4, 5), 0.5, np.float32)]

    import fusionbox.apis

    monkeypatch.setattr(fusionbox.apis, 'FusionInferencer', StubInferencer, raising=False)
    out = bench.fuse_pairs('cfg.py:ckpt.pth', tmp_path / 'fused', ROOT, steps=2)
    assert calls[0] == ('init', 'cfg.py', 'ckpt.pth', 'cpu')
    assert set(calls[1:]) == {(('ir', 'vi'), 'ivf', 2)} and len(calls) == 22
    assert len(list(out.glob('*.png'))) == 21
