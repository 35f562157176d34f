"""benchmarks/heldout_tasks.py: the held-out stems of the real-data config, the priors and the
pseudo-labels (from the recipe's cache) and other results scored under ``cddfuse``, per task."""

import json
import shutil

import pytest
from mmengine.config import Config

from .conftest import REPO, SHARED, load_benchmark, needs_shared_data

ROOT = SHARED
pytestmark = needs_shared_data


@pytest.fixture(scope='module')
def bench():
    return load_benchmark('heldout_tasks')


def test_heldout_sets_are_the_configs_held_out_stems(bench):
    cfg = Config.fromfile(str(REPO / bench.DEFAULT_CONFIG))
    sets = {h['name']: [s['stem'] for s in h['samples']] for h in bench.heldout_sets(cfg, ['mff'])}
    assert sets == {'Lytro': ['lytro_05', 'lytro_10', 'lytro_15', 'lytro_20']}  # U2Fusion: none
    mif = bench.heldout_sets(cfg, ['mif'], limit=1)
    assert [(h['name'], len(h['samples'])) for h in mif] == [
        ('Harvard-MRI-CT', 1),
        ('Harvard-MRI-PET', 1),
        ('Harvard-MRI-SPECT', 1),
    ]
    assert len(bench.metrics()) == 12


@pytest.mark.slow
def test_one_mff_sample_tables_and_figure(bench, tmp_path):
    labels = tmp_path / 'labels'
    first = tmp_path / 'first'
    args = ['--tasks', 'mff', '--limit', '1', '--labels-dir', str(labels), '--threads', '1']
    assert bench.main(['--out', str(first), *args]) == 0
    # another method's results: here a copy of the mean of the sources
    mine = tmp_path / 'mine' / 'Lytro'
    mine.mkdir(parents=True)
    shutil.copy(first / 'fused' / 'Lytro' / 'Average' / 'lytro_05.png', mine / 'lytro_05.png')
    out = tmp_path / 'out'
    assert bench.main(['--out', str(out), *args, '--fused', f'mine={mine.parent}']) == 0

    boards = json.loads((out / 'heldout.json').read_text())
    assert list(boards) == ['mff']
    entries = {e['method']: e for e in boards['mff']['tables']['mff']}
    priors = {'Average', 'LaplacianPyramid', 'DWT', 'GFF', 'MGFF', 'FocusMap'}
    assert set(entries) == priors | {'selected', 'refined', 'mine'}
    assert all(e['n_images'] == 1 for e in entries.values())
    assert entries['mine']['values'] == entries['Average']['values']
    # the selected label is the pick, from the recipe's label cache (made there by the first run)
    (folder,) = labels.iterdir()
    assert folder.name.startswith('mff_Lytro_')
    pick = json.loads((folder / 'provenance' / 'lytro_05.json').read_text())['pick']
    assert entries['selected']['values'] == entries[pick]['values']
    text = (out / 'heldout.md').read_text()
    assert '## mff (1 held-out samples)' in text
    assert '| mine | 0/12 |' in text  # equal to the mean: no metric better
    assert (out / 'comparison_mff.png').stat().st_size > 0
    csv_rows = (out / 'heldout.csv').read_text().splitlines()
    assert len(csv_rows) == 1 + 9 and csv_rows[0].startswith('group,position,method')


def test_wins_follow_the_metric_direction(bench):
    board = {
        'metrics': ['EN', 'MSE'],
        'higher_is_better': {'EN': True, 'MSE': False},
        'tables': {
            'ivf': [
                {'method': 'a', 'values': {'EN': 7.0, 'MSE': 10.0}},
                {'method': 'b', 'values': {'EN': 6.0, 'MSE': 5.0}},
            ]
        },
    }
    assert bench.wins(board, 'ivf', 'a', 'b') == ['EN']
    assert bench.wins(board, 'ivf', 'b', 'a') == ['MSE']
    assert bench.best_prior(board, 'ivf', ['b']) == 'b'
