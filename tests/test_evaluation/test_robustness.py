"""Degenerate inputs: every registered metric under every protocol it belongs to gives a
defined value or a clear error (never NaN, never a numpy warning); tables record failures."""

import json
import warnings

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from fusionbox.evaluation import (
    FusionMetric,
    MetricInputError,
    MetricUndefinedError,
    get_metric,
    list_metrics,
)
from fusionbox.evaluation.leaderboard import build_leaderboard, to_csv, to_markdown

PAIRS = [(n, p) for n in list_metrics() for p in get_metric(n).spec.protocols]


def _texture(seed, h, w):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 110 + 70 * np.sin(x / 4.0 + seed) * np.cos(y / 5.0 - seed) + rng.normal(0, 6, (h, w))
    return np.clip(np.round(img), 0, 255)


def _cast(x, protocol):
    if protocol in ('vifb', 'mefb', 'tang'):
        return x.astype(np.uint8)
    return x.astype(np.float32) if protocol == 'cddfuse' else x


def _call(name, protocol, fused, sources, gt, cast=True):
    fn = get_metric(name)
    if cast:
        fused, sources = _cast(fused, protocol), [_cast(s, protocol) for s in sources]
        gt = None if gt is None else _cast(gt, protocol)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            value = fn(fused, sources, gt, protocol=protocol)
            error = None
        except ValueError as e:
            value, error = None, e
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, f'{name}/{protocol}: {[str(w.message) for w in runtime]}'
    return value, error


def _defined(name, protocol, value, error, allow_inf=False):
    """A finite value (+inf only for PSNR of identical images) or MetricUndefinedError."""
    if error is not None:
        assert isinstance(error, MetricUndefinedError), f'{name}/{protocol}: {error!r}'
        assert name in str(error)
        return
    assert not np.isnan(value), f'{name}/{protocol} gave NaN'
    if not (allow_inf and name.startswith('PSNR')):
        assert np.isfinite(value), f'{name}/{protocol} gave {value}'


@pytest.mark.parametrize('name,protocol', PAIRS)
def test_degenerate_inputs_defined_or_clear(name, protocol):
    spec = get_metric(name).spec
    side = max(spec.min_side(protocol), 48)
    a, b = _texture(1, side, side), _texture(2, side, side)
    flat, zero = np.full((side, side), 128.0), np.zeros((side, side))
    cases = {
        'constant': (flat, [flat, flat], flat),
        'zeros': (zero, [zero, zero], zero),
        'flat fused': (flat, [a, b], a),
        'flat sources': (np.round((a + b) / 2), [flat, flat], a),
        'identical': (a, [a, a], a),
    }
    for case, (f, s, g) in cases.items():
        value, error = _call(name, protocol, f, s, g)
        _defined(name, protocol, value, error, allow_inf=case in ('identical', 'constant', 'zeros'))

    # tiny images: a clear error naming the metric's minimum, or a defined value
    for size in (1, 4):
        t = _texture(3, size, size)
        value, error = _call(name, protocol, t, [t, _texture(4, size, size)], t)
        if size < spec.min_side(protocol):
            assert isinstance(error, MetricInputError), f'{name}/{protocol} {size}px: {error!r}'
            assert f'at least {spec.min_side(protocol)} pixels' in str(error)
        else:
            _defined(name, protocol, value, error, allow_inf=True)

    # NaN / inf: the image is named
    bad = a.copy()
    bad[3, 4] = np.nan
    value, error = _call(name, protocol, bad, [a, b], a, cast=False)
    assert isinstance(error, MetricInputError)
    assert 'fused has 1 NaN' in str(error) and name in str(error)
    bad = b.copy()
    bad[0, 0] = np.inf
    if spec.needs_gt:
        value, error = _call(name, protocol, a, [a, b], bad, cast=False)
        assert isinstance(error, MetricInputError) and 'gt has 0 NaN and 1 infinite' in str(error)
    elif spec.uses_sources:
        value, error = _call(name, protocol, a, [a, bad], None, cast=False)
        assert isinstance(error, MetricInputError)
        assert 'source 1 has 0 NaN and 1 infinite' in str(error)
    else:  # a metric of the fused image alone does not look at the sources
        value, error = _call(name, protocol, a, [a, bad], None, cast=False)
        assert error is None and np.isfinite(value)

    # sizes that differ: every shape is named
    small = a[:-2, :-3]
    if spec.needs_gt:
        value, error = _call(name, protocol, a, [a, b], small)
    else:
        value, error = _call(name, protocol, a, [a, small], None)
    if spec.needs_gt or spec.uses_sources:
        assert isinstance(error, MetricInputError) and 'sizes differ' in str(error)
        assert str(a.shape) in str(error) and str(small.shape) in str(error)
    else:
        assert error is None


def test_input_errors_are_clear():
    en, cc = get_metric('EN'), get_metric('CC')
    with pytest.raises(MetricInputError, match='2-D'):
        en(np.zeros((2, 3, 4, 5)))
    with pytest.raises(MetricInputError, match='real numeric'):
        en(np.array([['a', 'b'], ['c', 'd']]))
    with pytest.raises(MetricInputError, match='got none'):
        cc(np.zeros((8, 8)), [])
    with pytest.raises(MetricInputError, match='exactly two sources'):
        get_metric('SCD')(np.zeros((8, 8)), [np.zeros((8, 8))] * 3)


def test_documented_conventions():
    a, b = _texture(1, 48, 48), _texture(2, 48, 48)
    flat = np.full((48, 48), 100.0)
    assert get_metric('CC')(flat, [a, b]) == 0.0
    assert get_metric('SCD')(a, [a, a]) == 0.0
    assert get_metric('PSNR')(a, [a, a]) == np.inf
    assert get_metric('PSNR')(np.zeros((48, 48), np.float32), [np.zeros((48, 48))] * 2,
                              protocol='cddfuse') == np.inf  # fmt: skip
    assert get_metric('NMI')(flat, [flat, flat]) == pytest.approx(2.0)
    assert get_metric('VIF')(a, [flat, a]) == pytest.approx(1 + get_metric('VIF')(a, [a]))
    assert get_metric('Qcb')(flat, [flat, flat]) == 1.0
    assert get_metric('EN')(flat) == 0.0 and str(get_metric('EN')(flat)) == '0.0'
    with pytest.raises(MetricUndefinedError, match='no source has any gradient'):
        get_metric('Qabf')(np.zeros((48, 48)), [np.zeros((48, 48))] * 2)
    with pytest.raises(MetricUndefinedError, match='no feature region'):
        get_metric('Qp')(a, [flat, flat])


def _sample(stem, pred, a, b):
    s = BaseDataElement(metainfo=dict(task='ivf', stem=stem, source_names=['ir', 'vi']))
    s.pred, s.sources = pred, torch.stack([a, b])
    return s


def test_fusion_metric_records_bad_images(tmp_path):
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(1, 32, 40, generator=g), torch.rand(1, 32, 40, generator=g)
    zero = torch.zeros(1, 32, 40)
    nan_pred = (a + b) / 2
    nan_pred[0, 3, 3] = float('nan')
    metric = FusionMetric(metric_names=['EN', 'Qabf', 'CC'], out_dir=str(tmp_path))
    samples = [
        _sample('good', (a + b) / 2, a, b),
        _sample('flat', zero, zero, zero),  # Qabf undefined; EN 0; CC 0 by convention
        _sample('bad', nan_pred, a, b),  # every metric: input error naming 'fused'
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        metric.process({}, samples)
        out = metric.compute_metrics(metric.results)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    rows = {r['stem']: r for r in metric.rows}
    assert (
        'Qabf' not in rows['flat']
        and 'no source has any gradient' in rows['flat']['errors']['Qabf']
    )
    assert set(rows['bad']['errors']) == {'EN', 'Qabf', 'CC'}
    assert 'fused has 1 NaN' in rows['bad']['errors']['EN']
    assert out['Qabf'] == pytest.approx(rows['good']['Qabf'])  # the bad images are left out
    assert out['EN'] == pytest.approx((rows['good']['EN'] + rows['flat']['EN']) / 2)
    assert all(np.isfinite(v) for v in out.values())
    data = json.loads((tmp_path / 'metrics.json').read_text())
    assert data['missing'] == {'Qabf': 2, 'EN': 1, 'CC': 1}
    csv_rows = (tmp_path / 'metrics.csv').read_text().splitlines()
    assert csv_rows[0] == 'task,stem,EN,Qabf,CC'
    assert csv_rows[2].split(',')[3] == '' and 'nan' not in (tmp_path / 'metrics.csv').read_text()
    md = (tmp_path / 'metrics.md').read_text()
    assert '## Missing values' in md and 'nan' not in md.split('## Missing values')[0].lower()


def test_leaderboard_leaves_undefined_images_out_for_every_method():
    rows = [
        {'dataset': 'd', 'method': 'A', 'stem': '1', 'Qabf': 0.5, 'EN': 7.0},
        {'dataset': 'd', 'method': 'B', 'stem': '1', 'Qabf': 0.4, 'EN': 6.0},
        {'dataset': 'd', 'method': 'A', 'stem': '2', 'Qabf': 0.9, 'EN': 7.0},
        {
            'dataset': 'd',
            'method': 'B',
            'stem': '2',
            'Qabf': None,
            'EN': 6.0,
            'errors': {'Qabf': 'Qabf is undefined: no source has any gradient'},
        },
    ]
    logs = []
    board = build_leaderboard(rows, ['Qabf', 'EN'], 'standard', log=logs.append)
    values = {e['method']: e['values'] for e in board['tables']['d']}
    assert values['A']['Qabf'] == 0.5 and values['B']['Qabf'] == 0.4  # image 2 out for both
    assert board['excluded'] == {'d': {'Qabf': {'2': 'B: Qabf is undefined: no source has any '
                                                     'gradient'}}}  # fmt: skip
    assert len(logs) == 1 and '1 of 2' in logs[0]
    assert 'left out' in to_markdown(board) and 'nan' not in to_csv(board).lower()


def test_cli_metrics_records_bad_images(tmp_path, capsys):
    import argparse
    import csv

    import cv2

    from fusionbox.cli import metrics as cli

    rng = np.random.default_rng(0)
    for d in ('ir', 'vi', 'fused'):
        (tmp_path / d).mkdir()
    for stem, shape in (('001', (24, 32)), ('002', (20, 32))):
        cv2.imwrite(str(tmp_path / 'ir' / f'{stem}.png'), rng.integers(0, 256, (24, 32), np.uint8))
        cv2.imwrite(str(tmp_path / 'vi' / f'{stem}.png'), rng.integers(0, 256, (24, 32), np.uint8))
        cv2.imwrite(str(tmp_path / 'fused' / f'{stem}.png'), rng.integers(0, 256, shape, np.uint8))
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    out = tmp_path / 'm.csv'
    args = parser.parse_args(
        ['metrics', '--source', f'ir={tmp_path / "ir"}', '--source', f'vi={tmp_path / "vi"}']
        + ['--fused', str(tmp_path / 'fused'), '--metrics', 'EN,CC', '-o', str(out)]
    )
    assert args.func(args) == 1  # a bad sample makes the run fail, after scoring the rest
    rows = {(r['image'], r['metric']): r for r in csv.DictReader(out.open())}
    assert set(rows) == {('001', 'EN'), ('001', 'CC')}  # 002 skipped, not scored in part
    assert rows['001', 'CC']['error'] == '' and float(rows['001', 'EN']['value']) > 0
    captured = capsys.readouterr()
    assert 'skipped 002: image sizes differ' in captured.err
    assert f'{tmp_path / "fused" / "002.png"} (32x20)' in captured.err
    assert '1 of 2 sample(s) skipped as bad' in captured.err
