"""The gallery figure and the speed benchmark run (small settings)."""

import importlib.util
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[2]


def load(path):
    spec = importlib.util.spec_from_file_location(Path(path).stem, REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_falls_back_to_scikit_image_samples(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('FUSIONBOX_SHARED_DATA', str(tmp_path / 'absent'))
    gallery = load('tools/analysis/degradation_gallery.py')
    out = tmp_path / 'fig' / 'gallery.png'
    assert gallery.main(['--out', str(out), '--width', '96']) == 0
    figure = cv2.imread(str(out))
    assert figure is not None and figure.shape[0] > 300
    assert 'wrote' in capsys.readouterr().out


def test_benchmark_prints_operations_and_throughput(capsys):
    bench = load('benchmarks/degradation_speed.py')
    assert bench.main(['--repeats', '1', '--samples', '2']) == 0
    text = capsys.readouterr().out
    assert 'StripeNoise' in text and 'images/s' in text and '480x640' in text
