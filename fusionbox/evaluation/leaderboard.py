"""Leaderboards: several methods' fused images on one or more datasets under one protocol.

:func:`evaluate_methods` scores every method's result folder against the dataset's sources
(only on the images every method has, so the means compare like with like),
:func:`build_leaderboard` turns the per-image values into per-metric means, ranks (1 = best, by
each metric's registered direction, ties share the average rank) and the average rank, and
:func:`write_leaderboard` writes Markdown, CSV, JSON, a static HTML page with a sortable table
and a figure, into a fresh folder renamed into place at the end (atomic).

A metric that cannot be computed on an image (``MetricUndefinedError`` or ``MetricInputError``)
gets ``None`` in that row and its reason in ``row['errors']``; :func:`build_leaderboard` leaves
that image out of the metric's means for *every* method (like with like), logs it once per
dataset and metric, and lists it in ``board['excluded']``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np

from fusionbox.utils.image_io import list_images, match_stem

from .functional import (
    PROTOCOLS,
    evaluate_image,
    get_metric,
    list_metrics,
)
from .fusion_metric import order_sources
from .io import read_for_protocol

OVERALL = 'overall'


@dataclass
class DatasetSpec:
    """One evaluation set: source folders whose files share a stem per sample.

    Args:
        name: label in the tables (and the sub-folder looked for in a method's folder).
        task: fusion task, e.g. ``'ivf'``.
        sources: ``[(source_name, folder), ...]`` in model order.
    """

    name: str
    task: str
    sources: List[Tuple[str, Path]] = field(default_factory=list)


def parse_dataset(spec: str, root: str | None = None) -> DatasetSpec:
    """``NAME:TASK:SRC1=DIR,SRC2=DIR`` or ``LAYOUT=ROOT`` (a named folder layout of
    :mod:`fusionbox.datasets.layouts`, e.g. ``VIFB=../shared/data/ivf/VIFB``); a relative
    ``ROOT`` or ``DIR`` is taken under ``root`` when given."""
    base = Path(root) if root else None

    def path(p):
        p = Path(p)
        return base / p if base is not None and not p.is_absolute() else p

    if ':' in spec:
        name, task, srcs = spec.split(':', 2)
        sources = []
        for item in srcs.split(','):
            src, sep, folder = item.partition('=')
            if not sep or not src or not folder:
                raise ValueError(f'--dataset source expects NAME=DIR, got {item!r} in {spec!r}')
            sources.append((src, path(folder)))
        if not name or not task or len(sources) < 1:
            raise ValueError(f'--dataset expects NAME:TASK:SRC=DIR,...; got {spec!r}')
        return DatasetSpec(name, task, sources)
    from fusionbox.datasets.layouts import get_layout

    name, sep, folder = spec.partition('=')
    if not sep:
        raise ValueError(f'--dataset expects NAME:TASK:SRC=DIR,... or LAYOUT=ROOT; got {spec!r}')
    layout = get_layout(name)
    if layout.sample_dirs:
        raise ValueError(
            f'layout {name!r} keeps one folder per sample; give its sources as '
            'NAME:TASK:SRC=DIR,... folders instead'
        )
    data_root = path(folder)
    return DatasetSpec(
        name, layout.task, [(n, data_root / s) for n, s in zip(layout.names, layout.sources)]
    )


def method_folder(folder, dataset: str, n_datasets: int) -> Path:
    """A method's results for ``dataset``: ``folder/<dataset>`` if it exists, else ``folder``
    itself (only with a single dataset)."""
    folder = Path(folder)
    if (folder / dataset).is_dir():
        return folder / dataset
    if n_datasets > 1:
        raise FileNotFoundError(
            f'{folder / dataset} not found: with several datasets a method '
            'folder holds one sub-folder per dataset'
        )
    return folder


def evaluate_methods(
    methods: Sequence[Tuple[str, Path]],
    datasets: Sequence[DatasetSpec],
    protocol: str = 'standard',
    metrics: Sequence[str] | None = None,
    log=print,
) -> Tuple[List[dict], List[str]]:
    """Per-image metric rows ``{'dataset', 'method', 'stem', <metric>: value}``; a value
    that cannot be computed is None, with its reason in ``row['errors'][metric]``.

    Each dataset is evaluated on the samples that every method has a fused image for (the
    others are reported through ``log`` and left out). Returns ``(rows, metric_names)``.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(
            f'unknown metric protocol {protocol!r}; expected one of ' f'{tuple(PROTOCOLS)}'
        )
    names = (
        list(metrics)
        if metrics
        else [n for n in list_metrics(protocol) if not get_metric(n).spec.needs_gt]
    )
    fns = {n: get_metric(n) for n in names}
    for n, fn in fns.items():
        if fn.spec.needs_gt:
            raise ValueError(f'{n} needs a ground truth; leaderboards use no-reference metrics')
        fn.spec.impl(protocol)
    if len({m for m, _ in methods}) != len(methods):
        raise ValueError('method names must be unique')
    rows = []
    for ds in datasets:
        src_files = [(n, list_images(folder)) for n, folder in ds.sources]
        stems = set.intersection(*(set(files) for _, files in src_files))
        fused = {}
        for method, folder in methods:
            files = list_images(method_folder(folder, ds.name, len(datasets)))
            fused[method] = {}
            for fstem, path in files.items():
                stem = match_stem(fstem, stems)
                if stem is not None:
                    fused[method][stem] = path
        common = sorted(set.intersection(stems, *(set(f) for f in fused.values())))
        if not common:
            raise ValueError(f'dataset {ds.name}: no sample has a fused image from every method')
        for method in fused:
            missing = len(stems) - len(set(fused[method]) & stems)
            if missing:
                log(f'warning: {ds.name}: {method} lacks {missing} of {len(stems)} samples')
        if len(common) < len(stems):
            log(f'warning: {ds.name}: evaluating the {len(common)} samples all methods have')
        src_names = [n for n, _ in ds.sources]
        for stem in common:
            srcs = [read_for_protocol(files[stem], protocol) for _, files in src_files]
            srcs = order_sources(srcs, src_names, protocol)
            for method, _ in methods:
                img = read_for_protocol(fused[method][stem], protocol)
                row = {'dataset': ds.name, 'method': method, 'stem': stem}
                values, errors = evaluate_image(names, img, srcs, protocol=protocol)
                row.update({n: values.get(n) for n in names})
                if errors:
                    row['errors'] = errors
                rows.append(row)
    return rows, names


@dataclass
class ModelSpec:
    """A FusionBox model to run inside the leaderboard: ``NAME=CONFIG:CHECKPOINT``."""

    name: str
    config: Path
    checkpoint: Path


def parse_model(spec: str) -> ModelSpec:
    """``NAME=CONFIG:CHECKPOINT`` (the checkpoint path follows the first ``:`` after the
    config)."""
    name, sep, rest = spec.partition('=')
    config, sep2, ckpt = rest.partition(':')
    if not sep or not sep2 or not name or not config or not ckpt:
        raise ValueError(f'--model expects NAME=CONFIG:CHECKPOINT, got {spec!r}')
    return ModelSpec(name, Path(config), Path(ckpt))


def run_model(
    model: ModelSpec,
    datasets: Sequence[DatasetSpec],
    out_dir,
    device: str = 'cpu',
    log=print,
) -> Path:
    """Fuse every sample of ``datasets`` with a FusionBox model and write the results as
    ``<out_dir>/<dataset>/<stem>.png`` (colour when a source is, else grey) through
    :class:`fusionbox.apis.FusionInferencer` (the config's test pipeline, the checkpoint loaded
    safely). Returns ``out_dir``."""
    from fusionbox.apis.inferencer import FusionInferencer
    from fusionbox.utils.image_io import write_image

    if not model.config.is_file():
        raise FileNotFoundError(f'model {model.name}: config not found: {model.config}')
    if not model.checkpoint.is_file():
        raise FileNotFoundError(f'model {model.name}: checkpoint not found: {model.checkpoint}')
    fuser = FusionInferencer(str(model.config), str(model.checkpoint), device=device)
    out_dir = Path(out_dir)
    for ds in datasets:
        src_files = [(n, list_images(folder)) for n, folder in ds.sources]
        stems = sorted(set.intersection(*(set(files) for _, files in src_files)))
        log(f'{model.name}: fusing {len(stems)} samples of {ds.name}')
        for stem in stems:
            (fused,) = fuser([str(files[stem]) for _, files in src_files], ds.task)
            write_image(out_dir / ds.name / f'{stem}.png', fused)
    return out_dir


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
    and metric. A mean without any value is None (shown empty, ranked last)."""
    datasets = list(dict.fromkeys(r['dataset'] for r in rows))
    methods = list(dict.fromkeys(r['method'] for r in rows))
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


# --- renderers -----------------------------------------------------------------------------------
def _fmt(v: float) -> str:
    return '' if v is None or (isinstance(v, float) and math.isnan(v)) else f'{v:.4g}'


def _arrow(board, m):
    return '↑' if board['higher_is_better'][m] else '↓'


def to_markdown(board: dict) -> str:
    ms = board['metrics']
    lines = [
        f'# {board["title"]}',
        '',
        f'Protocol: `{board["protocol"]}`. Datasets: {", ".join(board["datasets"])}. '
        '↑ higher is better, ↓ lower is better; **bold** = best in the column; '
        'rank 1 = best.',
        '',
    ]
    for group, entries in board['tables'].items():
        lines += [
            f'## {group}',
            '',
            '| # | method | images | '
            + ' | '.join(f'{m} {_arrow(board, m)}' for m in ms)
            + ' | avg rank |',
            '|' + '---|' * (len(ms) + 4),
        ]
        for pos, e in enumerate(entries, 1):
            cells = [
                f'**{_fmt(e["values"][m])}**' if m in e['best'] else _fmt(e['values'][m])
                for m in ms
            ]
            lines.append(
                f'| {pos} | {e["method"]} | {e["n_images"]} | '
                + ' | '.join(cells)
                + f' | {e["avg_rank"]:.2f} |'
            )
        lines.append('')
    for ds, drop in (board.get('excluded') or {}).items():
        for m, stems in drop.items():
            stem, reason = next(iter(stems.items()))
            lines += [
                f'Note: {ds}: {m} has no value on {len(stems)} image(s) for some method; they '
                f"are left out of every method's {m} mean (first: {stem}: {reason}).",
                '',
            ]
    return '\n'.join(lines)


def to_csv(board: dict) -> str:
    """Long-wide CSV: one row per (group, method) with values, ranks and the average rank."""
    ms = board['metrics']
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(
        ['group', 'position', 'method', 'n_images']
        + ms
        + [f'rank_{m}' for m in ms]
        + ['avg_rank', 'best']
    )
    for group, entries in board['tables'].items():
        for pos, e in enumerate(entries, 1):
            w.writerow(
                [group, pos, e['method'], e['n_images']]
                + ['' if e['values'][m] is None else repr(e['values'][m]) for m in ms]
                + [e['ranks'][m] for m in ms]
                + [e['avg_rank'], ';'.join(e['best'])]
            )
    return buf.getvalue()


def _js_number(v) -> str:
    """A value as JavaScript's ``parseFloat`` reads it (``Infinity``, not Python's ``inf``); ''
    for a missing value."""
    if v is None:
        return ''
    if math.isinf(v):
        return 'Infinity' if v > 0 else '-Infinity'
    return repr(float(v))


_JS = """
function sortTable(th) {
  const table = th.closest('table'), body = table.tBodies[0];
  const idx = Array.from(th.parentNode.children).indexOf(th);
  const asc = th.dataset.dir !== 'asc';
  th.parentNode.querySelectorAll('th').forEach(h => delete h.dataset.dir);
  th.dataset.dir = asc ? 'asc' : 'desc';
  const key = r => { const c = r.children[idx]; const v = c.dataset.v !== undefined ?
    parseFloat(c.dataset.v) : NaN; return isNaN(v) ? c.textContent : v; };
  Array.from(body.rows).sort((a, b) => { const x = key(a), y = key(b);
    const r = (typeof x === 'number' && typeof y === 'number') ? (x === y ? 0 : x < y ? -1 : 1) :
      String(x).localeCompare(String(y)); return asc ? r : -r; })
    .forEach(r => body.appendChild(r));
}
"""

_CSS = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th { cursor: pointer; background: #f0f0f0; }
th[data-dir=asc]::after { content: ' \\25B2'; } th[data-dir=desc]::after { content: ' \\25BC'; }
td.name { text-align: left; } td.best { font-weight: bold; background: #dff0d8; }
"""


def to_html(board: dict, figure: str | None = None) -> str:
    ms = board['metrics']
    e_ = html.escape
    parts = [
        '<!DOCTYPE html>',
        '<html><head><meta charset="utf-8">',
        f'<title>{e_(board["title"])}</title>',
        f'<style>{_CSS}</style>',
        f'<script>{_JS}</script></head><body>',
        f'<h1>{e_(board["title"])}</h1>',
        f'<p>Protocol <code>{e_(board["protocol"])}</code>; datasets: '
        f'{e_(", ".join(board["datasets"]))}. ↑ higher is better, ↓ lower is better; '
        'the best value of each column is highlighted. Click a header to sort.</p>',
    ]
    for group, entries in board['tables'].items():
        parts.append(f'<h2>{e_(group)}</h2><table><thead><tr>')
        heads = ['#', 'method', 'images'] + [f'{m} {_arrow(board, m)}' for m in ms] + ['avg rank']
        parts.append(''.join(f'<th onclick="sortTable(this)">{e_(h)}</th>' for h in heads))
        parts.append('</tr></thead><tbody>')
        for pos, e in enumerate(entries, 1):
            cells = [
                f'<td data-v="{pos}">{pos}</td>',
                f'<td class="name">{e_(e["method"])}</td>',
                f'<td data-v="{e["n_images"]}">{e["n_images"]}</td>',
            ]
            for m in ms:
                v = e['values'][m]
                cls = ' class="best"' if m in e['best'] else ''
                cells.append(
                    f'<td{cls} data-v="{_js_number(v)}" '
                    f'title="rank {e["ranks"][m]:g}">{_fmt(v)}</td>'
                )
            cells.append(f'<td data-v="{e["avg_rank"]!r}">{e["avg_rank"]:.2f}</td>')
            parts.append('<tr>' + ''.join(cells) + '</tr>')
        parts.append('</tbody></table>')
    if figure:
        parts.append(f'<img src="{e_(figure)}" alt="leaderboard figure">')
    parts.append('</body></html>')
    return '\n'.join(parts) + '\n'


def draw_figure(board: dict, path) -> None:
    """Two panels for the last table (overall when several datasets): the average rank per
    method, and per metric a score scaled to 0..1 over the methods (1 = best)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    group = list(board['tables'])[-1]
    entries = board['tables'][group]
    ms = board['metrics']
    methods = [e['method'] for e in entries]
    fig = Figure(figsize=(4 + 0.6 * len(ms) * max(1, len(methods)) / 2, 4.5))
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={'width_ratios': [1, max(2, len(ms) / 2)]})
    ax1.barh(methods[::-1], [e['avg_rank'] for e in entries][::-1], color='tab:blue')
    ax1.set_xlabel('average rank (lower is better)')
    width = 0.8 / max(1, len(methods))
    x = np.arange(len(ms))
    for i, e in enumerate(entries):
        scores = []
        for m in ms:
            vals = np.array([f['values'][m] for f in entries], dtype=np.float64)
            finite = vals[np.isfinite(vals)]
            v = e['values'][m]
            if v is None or np.isnan(v):
                scores.append(0.0)  # no value: drawn as the worst
                continue
            lo, hi = (finite.min(), finite.max()) if finite.size else (v, v)
            # +inf / -inf (PSNR of identical images) lie beyond the finite range
            if np.isinf(v):
                s = 1.0 if v > 0 else 0.0
            else:
                s = 1.0 if hi == lo else float(np.clip((v - lo) / (hi - lo), 0.0, 1.0))
            scores.append(s if board['higher_is_better'][m] else 1 - s)
        ax2.bar(x + (i - (len(methods) - 1) / 2) * width, scores, width, label=e['method'])
    ax2.set_xticks(x, [f'{m} {_arrow(board, m)}' for m in ms], rotation=45, ha='right')
    ax2.set_ylabel('score scaled over methods (1 = best)')
    ax2.set_ylim(0, 1.05)
    ax2.legend(fontsize='small')
    fig.suptitle(f'{board["title"]} ({group}, protocol {board["protocol"]})')
    fig.tight_layout()
    fig.savefig(str(path), dpi=100)


def staging_dir(out_dir) -> Path:
    """A fresh hidden folder beside ``out_dir`` for :func:`write_leaderboard`'s ``staging``."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f'.{out_dir.name}.', dir=out_dir.parent))


def write_leaderboard(
    board: dict, out_dir, overwrite: bool = False, staging=None
) -> Dict[str, Path]:
    """Write ``leaderboard.{md,csv,json,html,png}`` into ``out_dir``. The files are written to
    a temporary folder beside it which is renamed into place; an existing ``out_dir`` is
    refused (FileExistsError) unless ``overwrite``. ``staging`` (from :func:`staging_dir`) is a
    temporary folder that already holds other outputs (e.g. models' fused images); it becomes
    ``out_dir``, and is removed if writing fails."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise FileExistsError(f'{out_dir} exists; pass overwrite (--overwrite) to replace it')
    tmp = Path(staging) if staging is not None else staging_dir(out_dir)
    try:
        (tmp / 'leaderboard.md').write_text(to_markdown(board))
        (tmp / 'leaderboard.csv').write_text(to_csv(board))
        (tmp / 'leaderboard.json').write_text(json.dumps(board, indent=2) + '\n')
        draw_figure(board, tmp / 'leaderboard.png')
        (tmp / 'leaderboard.html').write_text(to_html(board, 'leaderboard.png'))
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f'.{out_dir.name}.old.', dir=out_dir.parent))
            os.replace(out_dir, old / 'x')
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {k: out_dir / f'leaderboard.{k}' for k in ('md', 'csv', 'json', 'html', 'png')}
