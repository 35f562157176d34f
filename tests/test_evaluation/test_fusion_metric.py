"""FusionMetric (MMEngine BaseMetric) and the result tables."""

import csv
import json

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from fusionbox.evaluation import FusionMetric, order_sources, summarize, write_tables
from fusionbox.registry import METRICS


def _sample(task, stem, gt=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.rand(1, 32, 40, generator=g)
    b = torch.rand(1, 32, 40, generator=g)
    # what the model returns (a FusionSample); a plain data element carries the same fields
    s = BaseDataElement(metainfo=dict(task=task, stem=stem, source_names=['ir', 'vi']))
    s.pred = (a + b) / 2
    s.sources = torch.stack([a, b])  # (N, 1, H, W)
    if gt:
        s.gt = (a + b) / 2
    return s


def test_build_from_registry_and_compute():
    metric = METRICS.build(
        dict(type='FusionMetric', metric_names=['EN', 'SSIM', 'PSNR_ref'], protocol='standard')
    )
    samples = [
        _sample('ivf', 'a', gt=False, seed=1),
        _sample('mff', 'b', seed=2),
        _sample('mff', 'c', seed=3),
    ]
    metric.process({}, [s.to_dict() for s in samples[:2]])
    metric.process({}, samples[2:])  # data elements are accepted too
    out = metric.compute_metrics(metric.results)
    assert {'EN', 'SSIM', 'ivf/EN', 'mff/EN', 'mff/PSNR_ref', 'PSNR_ref'} <= set(out)
    assert 'ivf/PSNR_ref' not in out  # skipped without gt, not zero-filled
    assert out['mff/PSNR_ref'] == np.inf  # pred == gt
    assert out['EN'] == pytest.approx(np.mean([r['EN'] for r in metric.rows]))
    assert len(metric.rows) == 3 and 'PSNR_ref' not in metric.rows[0]


def test_sources_fall_back_to_batch_inputs():
    metric = FusionMetric(metric_names='SD')
    s = _sample('ivf', 'x').to_dict()
    inputs = [s.pop('sources')]
    metric.process({'inputs': inputs}, [s])
    assert metric.results[0]['SD'] > 0


def test_protocol_is_checked():
    with pytest.raises(ValueError, match='unknown metric protocol'):
        FusionMetric(protocol='nope')
    with pytest.raises(KeyError, match='not defined under protocol'):
        FusionMetric(metric_names=['EI'], protocol='cddfuse')


def test_order_sources():
    assert order_sources(['IR', 'VI'], ['ir', 'vi'], 'vifb') == ['VI', 'IR']
    assert order_sources(['IR', 'VI'], ['ir', 'vi'], 'tang') == ['IR', 'VI']
    assert order_sources(['A', 'B'], ['mri', 'ct'], 'vifb') == ['A', 'B']


def test_write_tables(tmp_path):
    rows = [
        {'task': 'ivf', 'stem': 'a', 'EN': 7.0, 'PSNR_ref': 30.0},
        {'task': 'ivf', 'stem': 'b', 'EN': 6.0},
        {'task': 'mef', 'stem': 'c', 'EN': 5.0, 'PSNR_ref': 20.0},
    ]
    means = summarize(rows)
    assert means['ivf/EN'] == 6.5 and means['EN'] == 6.0 and means['PSNR_ref'] == 25.0
    paths = write_tables(rows, tmp_path, protocol='standard')
    data = json.loads(paths['json'].read_text())
    assert data['means']['mef/PSNR_ref'] == 20.0 and len(data['rows']) == 3
    table = list(csv.DictReader(paths['csv'].open()))
    assert table[1]['PSNR_ref'] == '' and table[0]['EN'] == '7'
    assert '| ivf | 6.5 | 30 |' in paths['md'].read_text()
    with pytest.raises(FileExistsError):
        write_tables(rows, tmp_path, overwrite=False)
