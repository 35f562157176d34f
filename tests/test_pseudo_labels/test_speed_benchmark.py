"""Smoke run of benchmarks/pseudo_labels_speed.py on tiny synthetic pairs (the timing itself is
measured by the full run, not asserted here)."""

import importlib.util
import json

import pytest

from fusionbox.pseudo_labels import DEFAULT_PRIORS


def _load(repo_root):
    path = repo_root / 'benchmarks' / 'pseudo_labels_speed.py'
    spec = importlib.util.spec_from_file_location('pseudo_labels_speed', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_speed_benchmark_times_every_stage_and_refuses_to_overwrite(
    tmp_path, repo_root, monkeypatch, capsys
):
    module = _load(repo_root)
    monkeypatch.setenv('FUSIONBOX_SHARED_DATA', str(tmp_path / 'absent'))
    out = tmp_path / 'timing.json'
    args = ['--tasks', 'ivf,mff', '--size', '48x64', '--repeats', '1', '--out', str(out)]
    assert module.main(args) == 0
    captured = capsys.readouterr()
    assert 'note: MSRS not found' in captured.err  # the synthetic fallback says so
    report = json.loads(out.read_text())
    assert set(report['tasks']) == {'ivf', 'mff'}
    for task, info in report['tasks'].items():
        names = [r['name'] for r in info['rows']]
        assert names[: len(DEFAULT_PRIORS[task])] == list(DEFAULT_PRIORS[task])
        assert {'selector', 'refiner', 'refiner: scoring', 'pipeline'} <= set(names)
        ms = {r['name']: r['cpu_ms'] for r in info['rows']}
        assert ms['pipeline'] > 0 and ms['refiner'] >= ms['refiner: scoring']
    assert '| **pipeline** |' in captured.out and 'load average' in captured.out
    # an existing output is never overwritten
    before = out.read_text()
    assert module.main(args) == 2
    assert out.read_text() == before


@pytest.mark.parametrize('task', ['ivf', 'mif', 'mef', 'mff'])
def test_synthetic_pairs_are_registered_and_in_range(repo_root, task):
    sources = _load(repo_root).synthetic_pair(task, (40, 56))
    assert [s.shape for s in sources] == [(40, 56, 1), (40, 56, 3)]
    assert all(0 <= s.min() and s.max() <= 1 for s in sources)
