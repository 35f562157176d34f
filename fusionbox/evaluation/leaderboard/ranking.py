"""Ranking: per-metric means over images, ranks by each metric's direction, the average rank.

A metric that cannot be computed on an image (``MetricUndefinedError`` or ``MetricInputError``)
gets ``None`` in that row and its reason in ``row['errors']``; :func:`build_leaderboard` leaves
that image out of the metric's means for *every* method (like with like), logs it once per
dataset and metric, and lists it in ``board['excluded']``.
"""

from __future__ import annotations

import math
from typing import Dict, List, Sequence

import numpy as np

from ..functional import get_metric

OVERALL = 'overall'


def rank_values(values: Sequence[float], higher_is_better: bool) -> List[float]:
    """Ranks (1 = best) with ties sharing their average rank; nan ranks last."""
    vals = np.asarray(values, dtype=np.float64)
    key = np.where(np.isnan(vals), -np.inf if higher_is_better else np.inf, vals)
    key = -key if higher_is_better else key
    order = np.argsort(key, kind='stable')
    ranks = np.empty(len(vals))
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and key[order[j + 1]] == key[order[i]]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks.tolist()


def _mean(vals) -> float | None:
    """Mean of the values that are not None; None when there are none or when it has no value
    (both +inf and -inf among them)."""
    vals = [v for v in vals if v is not None]
    if not vals or (math.inf in vals and -math.inf in vals):
        return None
    return float(np.mean(vals))


def build_leaderboard(
    rows: Sequence[dict],
    metrics: Sequence[str],
    protocol: str,
    title: str = 'FusionBox leaderboard',
    log=None,
) -> dict:
    """Means, ranks, average rank and best marks per dataset and overall (the mean over the
    datasets of the per-dataset means). Tables are sorted by average rank.

    An image where a metric has no value for some method (None, reason in ``row['errors']``)
    is left out of that metric's means for every method; ``board['excluded']`` lists them
    (``{dataset: {metric: {stem: reason}}}``) and ``log`` (when given) says so once per dataset
    and metric. A mean without any value is None (shown empty, ranked last). Each entry's
    ``origin`` is its rows' ``origin``: ``'computed'`` (the default) or ``'published'``."""
    datasets = list(dict.fromkeys(r['dataset'] for r in rows))
    methods = list(dict.fromkeys(r['method'] for r in rows))
    origin = {r['method']: r.get('origin', 'computed') for r in rows}
    direction = {m: bool(get_metric(m).higher_is_better) for m in metrics}
    tables = {}
    means = {}
    excluded: Dict[str, Dict[str, Dict[str, str]]] = {}
    for ds in datasets:
        drop: Dict[str, Dict[str, str]] = {}
        for r in rows:
            if r['dataset'] != ds:
                continue
            for m in metrics:
                if r.get(m) is None:
                    reason = (r.get('errors') or {}).get(m, 'no value')
                    drop.setdefault(m, {}).setdefault(r['stem'], f'{r["method"]}: {reason}')
        if drop:
            excluded[ds] = drop
            n_stems = len({r['stem'] for r in rows if r['dataset'] == ds})
            for m, stems in drop.items():
                if log is not None:
                    stem, reason = next(iter(stems.items()))
                    log(
                        f'warning: {ds}: {m} has no value on {len(stems)} of {n_stems} '
                        f"image(s) for some method; left out of every method's mean "
                        f'(first: {stem}: {reason})'
                    )
        means[ds] = {}
        for method in methods:
            sel = [r for r in rows if r['dataset'] == ds and r['method'] == method]
            means[ds][method] = {
                m: _mean([r.get(m) for r in sel if r['stem'] not in drop.get(m, {})])
                for m in metrics
            }
            means[ds][method]['n_images'] = len(sel)
    groups = datasets + ([OVERALL] if len(datasets) > 1 else [])
    for group in groups:
        if group == OVERALL:
            table = {
                method: {m: _mean([means[d][method][m] for d in datasets]) for m in metrics}
                for method in methods
            }
            for method in methods:
                table[method]['n_images'] = sum(means[d][method]['n_images'] for d in datasets)
        else:
            table = means[group]
        ranks = {
            m: rank_values([table[meth][m] for meth in methods], direction[m]) for m in metrics
        }
        entries = []
        for i, method in enumerate(methods):
            r = {m: ranks[m][i] for m in metrics}
            entries.append(
                {
                    'method': method,
                    'origin': origin.get(method, 'computed'),
                    'n_images': table[method]['n_images'],
                    'values': {m: table[method][m] for m in metrics},
                    'ranks': r,
                    'avg_rank': float(np.mean(list(r.values()))),
                }
            )
        entries.sort(key=lambda e: (e['avg_rank'], e['method']))
        best = {
            m: [
                e['method'] for e in entries if e['ranks'][m] == min(x['ranks'][m] for x in entries)
            ]
            for m in metrics
        }
        for e in entries:
            e['best'] = [m for m in metrics if e['method'] in best[m]]
        tables[group] = entries
    return {
        'title': title,
        'protocol': protocol,
        'metrics': list(metrics),
        'higher_is_better': direction,
        'datasets': datasets,
        'methods': methods,
        'tables': tables,
        'excluded': excluded,
        'rows': [dict(r) for r in rows],
    }
