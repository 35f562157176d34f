"""The report of a pseudo-label run: pick distribution per task, refinement gains, a figure."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Dict, List

import numpy as np

from fusionbox.utils.io import atomic_path, atomic_write_json, atomic_write_text


def load_records(out_dir) -> List[dict]:
    """Every provenance record under ``OUTDIR/provenance`` (sorted by stem)."""
    folder = Path(out_dir) / 'provenance'
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text()) for p in sorted(folder.glob('*.json'))]


def summarise(records: List[dict]) -> Dict[str, dict]:
    """Per task: sample count, pick counts, refinement statistics, accepted actions."""
    out: Dict[str, dict] = {}
    for task in sorted({r['task'] for r in records}):
        rows = [r for r in records if r['task'] == task]
        gains = np.array([r['refinement']['gain'] for r in rows], np.float64)
        actions = Counter(
            a['enhancer'] for r in rows for a in r['refinement']['actions'] if a.get('accepted')
        )
        found = Counter(
            a['detector'] for r in rows for a in r['refinement']['actions'] if a.get('degraded')
        )
        out[task] = dict(
            samples=len(rows),
            picks=dict(Counter(r['pick'] for r in rows).most_common()),
            refined_improved=int((gains > 0).sum()),
            refined_not_worse=int((gains >= 0).sum()),
            mean_gain=float(gains.mean()) if len(gains) else 0.0,
            median_gain=float(np.median(gains)) if len(gains) else 0.0,
            min_gain=float(gains.min()) if len(gains) else 0.0,
            max_gain=float(gains.max()) if len(gains) else 0.0,
            mean_score_selected=float(np.mean([r['refinement']['score_selected'] for r in rows])),
            mean_score_refined=float(np.mean([r['refinement']['score_refined'] for r in rows])),
            degradations_found=dict(found.most_common()),
            enhancements_accepted=dict(actions.most_common()),
        )
    return out


def markdown(summary: Dict[str, dict]) -> str:
    lines = [
        '# Pseudo-label report',
        '',
        '| task | samples | picks | refined > selected | refined >= selected | mean gain '
        '| median gain | min gain | max gain |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for task, s in summary.items():
        picks = ', '.join(f'{k} {v}' for k, v in s['picks'].items())
        lines.append(
            f"| {task} | {s['samples']} | {picks} | {s['refined_improved']}/{s['samples']} | "
            f"{s['refined_not_worse']}/{s['samples']} | {s['mean_gain']:.4f} | "
            f"{s['median_gain']:.4f} | "
            f"{s['min_gain']:.4f} | {s['max_gain']:.4f} |"
        )
    lines += ['', 'Accepted enhancements per task:', '']
    for task, s in summary.items():
        acc = ', '.join(f'{k} {v}' for k, v in s['enhancements_accepted'].items()) or '-'
        lines.append(f'* {task}: {acc}')
    return '\n'.join(lines) + '\n'


def figure(records: List[dict], path, examples: int = 4, overwrite: bool = False) -> Path | None:
    """Sources, selected label and refined label of the samples refinement helped most (an
    existing ``path`` is replaced only with ``overwrite``)."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from fusionbox.utils.image_io import read_image

    if not records:
        return None
    rows = sorted(records, key=lambda r: -r['refinement']['gain'])[:examples]
    cols = max(len(r['source_paths']) for r in rows) + 2
    fig, axes = plt.subplots(len(rows), cols, figsize=(2.6 * cols, 2.6 * len(rows)), squeeze=False)
    for i, rec in enumerate(rows):
        panels = [(Path(p).name, p) for p in rec['source_paths']]
        panels += [
            (
                f"selected: {rec['pick']} ({rec['refinement']['score_selected']:.3f})",
                rec['selected_path'],
            ),
            (f"refined ({rec['refinement']['score_refined']:.3f})", rec['label_path']),
        ]
        for j, ax in enumerate(axes[i]):
            ax.axis('off')
            if j >= len(panels):
                continue
            title, img_path = panels[j]
            img = read_image(img_path)
            ax.imshow(img[..., 0] if img.shape[2] == 1 else img, cmap='gray', vmin=0, vmax=1)
            ax.set_title(f"{rec['task']}/{rec['stem']}: {title}" if j == 0 else title, fontsize=7)
    fig.tight_layout()
    with atomic_path(path, overwrite) as tmp:
        fig.savefig(tmp, dpi=90, format='png')
    plt.close(fig)
    return Path(path)


def write_report(out_dir, examples: int = 4) -> dict:
    """Write ``report.json``, ``report.md`` and ``report.png`` into ``out_dir``; return the
    summary. They replace the earlier report: it is re-rendered from the folder's records after
    every (resumed) run."""
    out_dir = Path(out_dir)
    records = load_records(out_dir)
    summary = summarise(records)
    atomic_write_json(
        out_dir / 'report.json',
        dict(
            summary=summary,
            samples=[
                dict(
                    stem=r['stem'],
                    task=r['task'],
                    pick=r['pick'],
                    scores={n: c['score'] for n, c in r['candidates'].items()},
                    score_selected=r['refinement']['score_selected'],
                    score_refined=r['refinement']['score_refined'],
                    accepted=[
                        a['enhancer'] for a in r['refinement']['actions'] if a.get('accepted')
                    ],
                )
                for r in records
            ],
        ),
        overwrite=True,
    )
    atomic_write_text(out_dir / 'report.md', markdown(summary), overwrite=True)
    figure(records, out_dir / 'report.png', examples, overwrite=True)
    return summary
