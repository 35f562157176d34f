"""Leaderboard renderers: Markdown, CSV and a static HTML page (sortable tables, the protocol
check, the figure and fused thumbnails embedded as data URIs)."""

from __future__ import annotations

import base64
import csv
import html
import io
import math


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


def _data_uri(png: bytes) -> str:
    return 'data:image/png;base64,' + base64.b64encode(png).decode('ascii')
