"""Per-image metric rows -> means and result tables (JSON, CSV, Markdown), written atomically.

A row is ``{'task', 'stem', <metric>: value, ...}``; a metric that could not be computed on the
image (:class:`~fusionbox.evaluation.functional.MetricUndefinedError` or an input error) is
absent from the row and listed in ``row['errors'] = {metric: reason}``. Means leave such cells
out (:func:`missing_counts` says how many); they are empty in the CSV and listed with their
reason in the Markdown. ``+inf`` (PSNR of identical images) is kept: a mean that includes it is
``inf``; a mean of both ``+inf`` and ``-inf`` has no value and is left out.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Dict, List, Sequence

from fusionbox.utils.io import atomic_write_json, atomic_write_text

KEYS = ('task', 'stem')
ERRORS = 'errors'


def metric_names(rows: Sequence[dict]) -> List[str]:
    """Metric columns of ``rows`` in first-seen order."""
    names: List[str] = []
    for row in rows:
        names += [k for k in row if k not in KEYS and k != ERRORS and k not in names]
        names += [k for k in row.get(ERRORS) or {} if k not in names]
    return names


def _mean(vals) -> float | None:
    """Mean of the values, None when it has none (both +inf and -inf among them)."""
    if not vals:
        return None
    if math.inf in vals and -math.inf in vals:
        return None
    return float(sum(vals) / len(vals))


def missing_counts(rows: Sequence[dict]) -> Dict[str, int]:
    """``{metric: number of rows where it could not be computed}`` (from ``row['errors']``)."""
    out: Dict[str, int] = {}
    for row in rows:
        for name in row.get(ERRORS) or {}:
            out[name] = out.get(name, 0) + 1
    return out


def missing_summary(rows: Sequence[dict]) -> List[str]:
    """One line per metric with missing values: how many images, and the first reason."""
    first: Dict[str, str] = {}
    for row in rows:
        for name, reason in (row.get(ERRORS) or {}).items():
            first.setdefault(name, f'{row.get("stem")}: {reason}')
    counts = missing_counts(rows)
    return [
        f'{name}: no value for {counts[name]} of {len(rows)} image(s), left out of the means '
        f'(first: {first[name]})'
        for name in counts
    ]


def summarize(rows: Sequence[dict], metrics: Sequence[str] | None = None) -> Dict[str, float]:
    """Means per task (``'ivf/EN'``) and over all images (``'EN'``). A metric missing from a
    row (e.g. a full-reference metric on a sample without gt, or one listed in the row's
    ``'errors'``) does not count for that row."""
    metrics = list(metrics) if metrics is not None else metric_names(rows)
    out: Dict[str, float] = {}
    tasks = sorted({row.get('task') for row in rows if row.get('task')})
    for name in metrics:
        for task in tasks:
            vals = [r[name] for r in rows if r.get('task') == task and r.get(name) is not None]
            mean = _mean(vals)
            if mean is not None:
                out[f'{task}/{name}'] = mean
        mean = _mean([r[name] for r in rows if r.get(name) is not None])
        if mean is not None:
            out[name] = mean
    return out


def _fmt(v) -> str:
    if v is None:
        return ''
    if isinstance(v, float):
        return 'nan' if math.isnan(v) else f'{v:.6g}'
    return str(v)


def rows_to_csv(rows: Sequence[dict]) -> str:
    """Wide CSV: task, stem, one column per metric (empty where a metric was skipped)."""
    names = metric_names(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(list(KEYS) + names)
    for row in rows:
        writer.writerow([row.get(k, '') for k in KEYS] + [_fmt(row.get(n)) for n in names])
    return buf.getvalue()


def rows_to_markdown(rows: Sequence[dict], protocol: str = '') -> str:
    """Markdown: a table of means per task (and overall), then the per-image values."""
    names = metric_names(rows)
    means = summarize(rows, names)
    tasks = sorted({row.get('task') for row in rows if row.get('task')})
    head = '| ' + ' | '.join(['task'] + names) + ' |\n|' + '---|' * (len(names) + 1) + '\n'
    lines = [
        f'# Metrics{f" (protocol: {protocol})" if protocol else ""}',
        '',
        '## Means',
        '',
        head.rstrip('\n'),
    ]
    for task in tasks + ['all']:
        key = '' if task == 'all' else f'{task}/'
        lines.append('| ' + ' | '.join([task] + [_fmt(means.get(key + n)) for n in names]) + ' |')
    lines += [
        '',
        '## Per image',
        '',
        '| task | stem | ' + ' | '.join(names) + ' |',
        '|' + '---|' * (len(names) + 2),
    ]
    for row in rows:
        lines.append(
            '| '
            + ' | '.join(
                [_fmt(row.get('task')), _fmt(row.get('stem'))] + [_fmt(row.get(n)) for n in names]
            )
            + ' |'
        )
    errors = [(row, n, r) for row in rows for n, r in (row.get(ERRORS) or {}).items()]
    if errors:
        lines += [
            '',
            '## Missing values',
            '',
            'Left out of the means (empty cells above):',
            '',
            '| task | stem | metric | reason |',
            '|---|---|---|---|',
        ]
        for row, name, reason in errors:
            reason = str(reason).replace('|', '\\|')
            lines.append(
                f'| {_fmt(row.get("task"))} | {_fmt(row.get("stem"))} | {name} | {reason} |'
            )
    return '\n'.join(lines) + '\n'


def write_tables(
    rows: Sequence[dict],
    out_dir,
    protocol: str = '',
    basename: str = 'metrics',
    overwrite: bool = False,
) -> Dict[str, Path]:
    """Write ``<basename>.json`` (rows, means and ``missing``: {metric: count}), ``.csv`` and
    ``.md`` into ``out_dir`` atomically (existing files only with ``overwrite``); returns the
    paths by format."""
    out_dir = Path(out_dir)
    rows = [dict(r) for r in rows]
    paths = {fmt: out_dir / f'{basename}.{fmt}' for fmt in ('json', 'csv', 'md')}
    atomic_write_json(
        paths['json'],
        {
            'protocol': protocol,
            'means': summarize(rows),
            'missing': missing_counts(rows),
            'rows': rows,
        },
        overwrite,
    )
    atomic_write_text(paths['csv'], rows_to_csv(rows), overwrite)
    atomic_write_text(paths['md'], rows_to_markdown(rows, protocol), overwrite)
    return paths
