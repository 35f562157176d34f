"""Leaderboard renderers: Markdown, CSV, a static HTML page (sortable tables, the protocol
check, the figure and fused thumbnails embedded) and the figure (per-image ranks with their
spread, one panel per dataset)."""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from typing import Dict, List

import numpy as np

from .ranking import rank_values


def _fmt(v: float) -> str:
    return '' if v is None or (isinstance(v, float) and math.isnan(v)) else f'{v:.4g}'


def _arrow(board, m):
    return '↑' if board['higher_is_better'][m] else '↓'


def _origin(e) -> str:
    return e.get('origin', 'computed')


def _name(e, pub: bool) -> str:
    """A computed method's name in bold *italics* among published rows."""
    return f'***{e["method"]}***' if pub and _origin(e) == 'computed' else e['method']


def to_markdown(board: dict) -> str:
    ms = board['metrics']
    pub = bool(board.get('published'))
    lines = [
        f'# {board["title"]}',
        '',
        f'Protocol: `{board["protocol"]}`. Datasets: {", ".join(board["datasets"])}. '
        '↑ higher is better, ↓ lower is better; **bold** = best in the column; '
        'rank 1 = best.',
        '',
    ]
    if pub:
        lines += [
            f'Published rows from `{board["published"]}` (row = published); rows computed here '
            'are in bold italics (row = computed). A computed method that is also published '
            'takes its published row\'s place; the protocol check below compares the two.',
            '',
        ]
    for group, entries in board['tables'].items():
        lines += [
            f'## {group}',
            '',
            '| # | method | '
            + ('row | ' if pub else '')
            + 'images | '
            + ' | '.join(f'{m} {_arrow(board, m)}' for m in ms)
            + ' | avg rank |',
            '|' + '---|' * (len(ms) + 4 + pub),
        ]
        for pos, e in enumerate(entries, 1):
            cells = [
                f'**{_fmt(e["values"][m])}**' if m in e['best'] else _fmt(e['values'][m])
                for m in ms
            ]
            origin = f'{_origin(e)} | ' if pub else ''
            lines.append(
                f'| {pos} | {_name(e, pub)} | {origin}{e["n_images"]} | '
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
    lines += check_lines(board)
    return '\n'.join(lines)


def check_lines(board: dict) -> list:
    """Markdown of the protocol check: each computed method that is also published, its
    place and average rank computed here against the table's own, and the largest relative
    difference between its means and the published ones."""
    checks = board.get('checks') or {}
    if not checks:
        return []
    lines = [
        '## Protocol check',
        '',
        '| method | place (computed) | place (published) | avg rank (computed) | '
        'avg rank (published) | largest rel. diff. of the means |',
        '|---|---|---|---|---|---|',
    ]
    for method, c in checks.items():
        diffs = {m: d for m, d in c['rel_diff'].items() if d is not None}
        worst = max(diffs, key=diffs.get) if diffs else None
        text = f'{diffs[worst]:.1e} ({worst})' if worst else ''
        lines.append(
            f'| {method} | {c["place"]} | {c["published_place"]} | {c["avg_rank"]:.3f} | '
            f'{c["published_avg_rank"]:.3f} | {text} |'
        )
    return lines + ['']


def to_csv(board: dict) -> str:
    """Long-wide CSV: one row per (group, method) with values, ranks and the average rank."""
    ms = board['metrics']
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\n')
    w.writerow(
        ['group', 'position', 'method', 'origin', 'n_images']
        + ms
        + [f'rank_{m}' for m in ms]
        + ['avg_rank', 'best']
    )
    for group, entries in board['tables'].items():
        for pos, e in enumerate(entries, 1):
            w.writerow(
                [group, pos, e['method'], _origin(e), e['n_images']]
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
td.computed { font-weight: bold; font-style: italic; color: #a04000; }
table.thumbs figure { display: inline-block; margin: 0 6px; text-align: center; }
"""


def to_html(board: dict, figure: bytes | None = None, thumbnails: dict | None = None) -> str:
    """A static page: the sortable tables (computed rows marked), the protocol check, the
    figure and ``thumbnails`` (:func:`thumbnails`) embedded as data URIs (one self-contained
    file)."""
    ms = board['metrics']
    pub = bool(board.get('published'))
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
        heads = ['#', 'method'] + (['row'] if pub else []) + ['images']
        heads += [f'{m} {_arrow(board, m)}' for m in ms] + ['avg rank']
        parts.append(''.join(f'<th onclick="sortTable(this)">{e_(h)}</th>' for h in heads))
        parts.append('</tr></thead><tbody>')
        for pos, e in enumerate(entries, 1):
            cls = ' computed' if pub and _origin(e) == 'computed' else ''
            cells = [
                f'<td data-v="{pos}">{pos}</td>',
                f'<td class="name{cls}">{e_(e["method"])}</td>',
            ]
            cells += [f'<td class="name">{_origin(e)}</td>'] if pub else []
            cells.append(f'<td data-v="{e["n_images"]}">{e["n_images"]}</td>')
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
    checks = check_lines(board)
    if checks:
        parts.append('<h2>Protocol check</h2><table>')
        for i, line in enumerate(checks[2:-1]):
            if i == 1:
                continue  # the markdown separator row
            tag = 'th' if i == 0 else 'td'
            cells = [c.strip() for c in line.strip('|').split('|')]
            parts.append('<tr>' + ''.join(f'<{tag}>{e_(c)}</{tag}>' for c in cells) + '</tr>')
        parts.append('</table>')
    if figure:
        parts.append(f'<h2>Figure</h2><img src="{_data_uri(figure)}" alt="leaderboard figure">')
    for ds, methods in (thumbnails or {}).items():
        parts.append(f'<h2>Fused images: {e_(ds)}</h2><table class="thumbs">')
        for method, items in methods.items():
            imgs = ''.join(
                f'<figure><img src="{_data_uri(png)}" alt="{e_(stem)}">'
                f'<figcaption>{e_(stem)}</figcaption></figure>'
                for stem, png in items
            )
            parts.append(f'<tr><td class="name">{e_(method)}</td><td>{imgs}</td></tr>')
        parts.append('</table>')
    parts.append('</body></html>')
    return '\n'.join(parts) + '\n'


def image_ranks(board: dict, dataset: str) -> Dict[str, List[float]]:
    """Per method, its average rank over the metrics on each image of ``dataset`` (ranks
    among the methods on that image, by each metric's direction; a metric without a value on
    an image for some method is left out there, as in the means)."""
    rows = [r for r in board['rows'] if r['dataset'] == dataset]
    methods = [e['method'] for e in board['tables'][dataset]]
    by_stem: Dict[str, Dict[str, dict]] = {}
    for r in rows:
        by_stem.setdefault(r['stem'], {})[r['method']] = r
    out: Dict[str, List[float]] = {m: [] for m in methods}
    for found in by_stem.values():
        if set(found) != set(methods):
            continue
        per = {m: [] for m in methods}
        for metric in board['metrics']:
            vals = [found[m].get(metric) for m in methods]
            if any(v is None for v in vals):
                continue
            for m, rank in zip(methods, rank_values(vals, board['higher_is_better'][metric])):
                per[m].append(rank)
        for m in methods:
            if per[m]:
                out[m].append(float(np.mean(per[m])))
    return out


def draw_figure(board: dict) -> bytes:
    """One panel per dataset: per method the mean over images of its per-image average rank
    (:func:`image_ranks`; 1 = best on every metric) as a bar, the range of the middle half of
    the images (25th to 75th percentile) as a line and every image as a dot; computed rows
    in orange, published rows in blue. Returns PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    datasets = board['datasets']
    n_methods = max(len(board['tables'][d]) for d in datasets)
    fig = Figure(figsize=(5.5 * len(datasets), 1.2 + 0.32 * n_methods))
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, len(datasets), squeeze=False)[0])
    for ax, ds in zip(axes, datasets):
        ranks = image_ranks(board, ds)
        entries = board['tables'][ds][::-1]
        y = np.arange(len(entries))
        for i, e in enumerate(entries):
            vals = np.asarray(ranks[e['method']], dtype=np.float64)
            if not vals.size:
                continue
            colour = 'tab:orange' if _origin(e) == 'computed' else 'tab:blue'
            q1, q3 = np.percentile(vals, [25, 75])
            mean = vals.mean()
            ax.barh(i, mean, color=colour, alpha=0.35)
            ax.hlines(i, q1, q3, color=colour, lw=2)
            ax.plot(vals, np.full(vals.size, i), '.', color=colour, ms=3)
        ax.set_yticks(y, [e['method'] for e in entries], fontsize='small')
        ax.set_xlim(0.5, len(entries) + 0.5)
        ax.set_xlabel('average rank over the metrics per image (1 = best)')
        n = len(next(iter(ranks.values()), []))
        ax.set_title(
            f'{ds}: {n} images; bar = mean, line = middle half, dots = images', fontsize='medium'
        )
    fig.suptitle(f'{board["title"]} (protocol {board["protocol"]})')
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=100)
    return buf.getvalue()


def thumbnails(board: dict, per_method: int = 3, size: int = 160) -> Dict[str, Dict[str, list]]:
    """``{dataset: {method: [(stem, png_bytes), ...]}}``: the first ``per_method`` images of
    each computed method (rows with a ``file``), read with the package's image reader and
    shrunk to ``size`` pixels on the longer side."""
    import cv2

    from fusionbox.utils.image_io import read_image

    out: Dict[str, Dict[str, list]] = {}
    for ds in board['datasets']:
        stems = sorted({r['stem'] for r in board['rows'] if r['dataset'] == ds})[:per_method]
        for r in board['rows']:
            if r['dataset'] != ds or r['stem'] not in stems or not r.get('file'):
                continue
            img = read_image(r['file'])  # (H, W, C) float in [0, 1], RGB
            scale = size / max(img.shape[:2])
            if scale < 1:
                shape = (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale)))
                img = cv2.resize(img, shape, interpolation=cv2.INTER_AREA)
            img = np.clip(np.round(np.atleast_3d(img) * 255), 0, 255).astype(np.uint8)
            ok, png = cv2.imencode('.png', img[..., ::-1] if img.shape[2] == 3 else img)
            out.setdefault(ds, {}).setdefault(r['method'], []).append((r['stem'], png.tobytes()))
    for methods in out.values():
        for items in methods.values():
            items.sort()
    return out


def _data_uri(png: bytes) -> str:
    return 'data:image/png;base64,' + base64.b64encode(png).decode('ascii')
