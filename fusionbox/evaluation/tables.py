"""Per-image metric rows -> means and result tables (JSON, CSV, Markdown), written atomically."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Dict, List, Sequence

from fusionbox.utils.io import atomic_write_json, atomic_write_text

KEYS = ('task', 'stem')


def metric_names(rows: Sequence[dict]) -> List[str]:
    """Metric columns of ``rows`` in first-seen order."""
    names: List[str] = []
    for row in rows:
        names += [k for k in row if k not in KEYS and k not in names]
    return names


def summarize(rows: Sequence[dict], metrics: Sequence[str] | None = None) -> Dict[str, float]:
    """Means per task (``'ivf/EN'``) and over all images (``'EN'``). A metric missing from a
    row (e.g. a full-reference metric on a sample without gt) does not count for that row."""
    metrics = list(metrics) if metrics is not None else metric_names(rows)
    out: Dict[str, float] = {}
    tasks = sorted({row.get('task') for row in rows if row.get('task')})
    for name in metrics:
        for task in tasks:
            vals = [r[name] for r in rows if r.get('task') == task and r.get(name) is not None]
            if vals:
                out[f'{task}/{name}'] = float(sum(vals) / len(vals))
        vals = [r[name] for r in rows if r.get(name) is not None]
        if vals:
            out[name] = float(sum(vals) / len(vals))
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
    return '\n'.join(lines) + '\n'


def write_tables(
    rows: Sequence[dict],
    out_dir,
    protocol: str = '',
    basename: str = 'metrics',
    overwrite: bool = True,
) -> Dict[str, Path]:
    """Write ``<basename>.json`` (rows and means), ``.csv`` and ``.md`` into ``out_dir``
    atomically; returns the paths by format."""
    out_dir = Path(out_dir)
    rows = [dict(r) for r in rows]
    paths = {fmt: out_dir / f'{basename}.{fmt}' for fmt in ('json', 'csv', 'md')}
    atomic_write_json(
        paths['json'], {'protocol': protocol, 'means': summarize(rows), 'rows': rows}, overwrite
    )
    atomic_write_text(paths['csv'], rows_to_csv(rows), overwrite)
    atomic_write_text(paths['md'], rows_to_markdown(rows, protocol), overwrite)
    return paths
