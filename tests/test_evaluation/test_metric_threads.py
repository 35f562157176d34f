"""Metrics that spread their work over threads give the serial value exactly (bit for bit)."""

import numpy as np
import pytest

from fusionbox.evaluation.functional import fmi as fmi_mod
from fusionbox.evaluation.functional import get_metric

from .test_metric_speed_equivalence import _textured as _textured_float


def _textured(seed):
    return _textured_float(seed, 64, 80).astype(np.uint8)


def _values(names, protocol, threads, monkeypatch):
    monkeypatch.setenv('FUSIONBOX_METRIC_THREADS', str(threads))
    a, b = _textured(1), _textured(2)
    f = ((a.astype(np.float64) + b) / 2).round().astype(np.uint8)
    return [get_metric(n)(f, [a, b], protocol=protocol) for n in names]


@pytest.mark.parametrize('protocol', ['standard', 'tang'])
def test_fmi_threads_equal_serial(protocol, monkeypatch):
    # small blocks, so that a 64 x 80 image has many blocks in several tasks
    monkeypatch.setattr(fmi_mod, '_BLOCK', 40)
    monkeypatch.setattr(fmi_mod, '_CHUNK', 3)
    names = ['FMI_pixel', 'FMI_dct', 'FMI_w']
    serial = _values(names, protocol, 1, monkeypatch)
    for threads in (2, 3):
        assert _values(names, protocol, threads, monkeypatch) == serial


def test_qp_threads_equal_serial(monkeypatch):
    serial = _values(['Qp'], 'standard', 1, monkeypatch)
    for threads in (2, 4):
        assert _values(['Qp'], 'standard', threads, monkeypatch) == serial


def test_fmi_block_sums_are_added_in_block_order(monkeypatch):
    """One block per task or many: the per-block sums are added in the same order."""
    monkeypatch.setattr(fmi_mod, '_BLOCK', 40)
    monkeypatch.setenv('FUSIONBOX_METRIC_THREADS', '2')
    a, f = _textured(3).astype(np.float64), _textured(4).astype(np.float64)
    values = set()
    for chunk in (1, 2, 5, 1000):
        monkeypatch.setattr(fmi_mod, '_CHUNK', chunk)
        values.add(fmi_mod.fmi(f, [a], 'none'))
    assert len(values) == 1
