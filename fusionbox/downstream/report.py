"""What ``fusionbox downstream`` writes from the per-input results: ``results.csv`` (columns
``input,metric,value``), ``results.md`` (one row per input) and ``results.png`` (bars per input
kind, and predictions drawn on a few test images of every input)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Dict, List

import numpy as np

from fusionbox.utils.io import atomic_path, atomic_write_text

from .protocol import HEADLINE

OUTPUTS = ('results.csv', 'results.md', 'results.png')


def metric_names(task: str, results: Dict[str, dict]) -> List[str]:
    """The headline metrics, then the per-class ones in the order of the classes."""
    names = list(HEADLINE[task])
    for result in results.values():
        for key in result['metrics']:
            if key not in names:
                names.append(key)
    return names


def results_csv(task: str, results: Dict[str, dict]) -> str:
    """``input,metric,value`` rows (values in percent, two decimals)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(['input', 'metric', 'value'])
    for name, result in results.items():
        for metric in metric_names(task, results):
            if metric in result['metrics']:
                writer.writerow([name, metric, f'{result["metrics"][metric]:.2f}'])
    return buffer.getvalue()


def results_markdown(task: str, results: Dict[str, dict], note: str = '') -> str:
    """A Markdown table: one row per input, one column per metric (percent)."""
    names = metric_names(task, results)
    lines = ['| input | ' + ' | '.join(names) + ' |', '|---|' + '---:|' * len(names)]
    for name, result in results.items():
        cells = [f'{result["metrics"][m]:.2f}' if m in result['metrics'] else '-' for m in names]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return (f'{note}\n\n' if note else '') + '\n'.join(lines) + '\n'


def write_reports(
    out_dir, task: str, results: Dict[str, dict], note: str = '', overwrite: bool = False
) -> List[Path]:
    """Write the three outputs into ``out_dir`` (atomically; existing files only with
    ``overwrite``); return their paths."""
    out_dir = Path(out_dir)
    atomic_write_text(out_dir / 'results.csv', results_csv(task, results), overwrite)
    atomic_write_text(out_dir / 'results.md', results_markdown(task, results, note), overwrite)
    figure(out_dir / 'results.png', out_dir, task, results, overwrite=overwrite)
    return [out_dir / name for name in OUTPUTS]


# --- the figure ----------------------------------------------------------------------------------
def _det_overlay(ax, out: Path, index: int, score_thr: float = 0.3) -> None:
    """Ground-truth boxes (green) and predictions above ``score_thr`` (red) of test image
    ``index`` (its COCO image id)."""
    import matplotlib.patches as patches

    gt = json.loads((out / 'coco.gt.json').read_text()) if (out / 'coco.gt.json').is_file() else {}
    dets = (
        json.loads((out / 'coco.bbox.json').read_text())
        if (out / 'coco.bbox.json').is_file()
        else []
    )
    for ann, colour in [
        (a, 'lime') for a in gt.get('annotations', []) if a['image_id'] == index
    ] + [(d, 'red') for d in dets if d['image_id'] == index and d['score'] >= score_thr]:
        x, y, w, h = ann['bbox']
        ax.add_patch(patches.Rectangle((x, y), w, h, fill=False, edgecolor=colour, linewidth=1))


def _seg_overlay(ax, out: Path, image_path: str) -> None:
    """The predicted class map (classes > 0 in colour) over the image."""
    from .labels import read_class_map

    pred = out / 'pred' / f'{Path(image_path).stem}.png'
    if pred.is_file():
        classes = read_class_map(pred).astype(float)
        ax.imshow(np.ma.masked_equal(classes, 0), cmap='autumn', alpha=0.45, vmin=0)


def figure(
    path, out_dir, task: str, results: Dict[str, dict], samples: int = 2, overwrite: bool = False
) -> None:
    """Bars of every metric per input kind on top; below, ``samples`` test images of every input
    with the predictions drawn (det: green ground truth, red predictions; seg: predicted
    classes). An existing ``path`` is replaced only with ``overwrite``."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from fusionbox.utils.image_io import read_image

    names = list(results)
    metrics = metric_names(task, results)
    stems = list(next(iter(results.values()))['test_images'])[:samples]
    cols = max(len(names), 1)
    fig = plt.figure(figsize=(max(3.2 * cols, 6), 3.2 + 2.8 * len(stems)))
    grid = fig.add_gridspec(1 + len(stems), cols)
    ax = fig.add_subplot(grid[0, :])
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [results[name]['metrics'].get(m, math.nan) for m in metrics]
        ax.bar(np.arange(len(metrics)) + i * width, values, width, label=name)
    ax.set_xticks(np.arange(len(metrics)) + width * (len(names) - 1) / 2, metrics, fontsize=8)
    ax.set_ylabel('%')
    ax.set_title(f'downstream {task}: per input kind')
    ax.legend(fontsize=8)
    for row, stem in enumerate(stems, start=1):
        for col, name in enumerate(names):
            ax = fig.add_subplot(grid[row, col])
            image_path = results[name]['test_images'][stem]
            image = read_image(image_path)
            ax.imshow(image[..., 0] if image.shape[2] == 1 else image, cmap='gray')
            if task == 'det':
                _det_overlay(
                    ax, Path(out_dir) / name, list(results[name]['test_images']).index(stem)
                )
            else:
                _seg_overlay(ax, Path(out_dir) / name, image_path)
            ax.set_title(f'{name}: {stem}', fontsize=8)
            ax.axis('off')
    if stems:
        key = ('green: ground truth, red: predictions with score >= 0.3' if task == 'det'
               else 'coloured: predicted classes other than class 0')  # fmt: skip
        fig.text(0.5, 0.005, key, ha='center', fontsize=8)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    with atomic_path(path, overwrite) as tmp:
        fig.savefig(tmp, dpi=90, format='png')
    plt.close(fig)


# --- several seeds -------------------------------------------------------------------------------
def summarise_seeds(task: str, runs: Dict[int, Dict[str, dict]]) -> List[dict]:
    """``[{'input', 'metric', 'mean', 'std', 'seeds'}]`` over several runs (seeds or folds)
    (``{seed: {input: result}}``); std is the sample standard deviation (0 for one seed)."""
    first = next(iter(runs.values()))
    rows = []
    for name in first:
        for metric in metric_names(task, first):
            values = [
                r[name]['metrics'][metric] for r in runs.values() if metric in r[name]['metrics']
            ]
            if values:
                std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
                rows.append(dict(input=name, metric=metric, mean=float(np.mean(values)), std=std,
                                 seeds=len(values)))  # fmt: skip
    return rows


def summary_markdown(rows: List[dict], metrics) -> str:
    """A table of ``mean ± std`` (the mean alone for one seed) per input (rows) and metric
    (columns) from :func:`summarise_seeds`."""

    def text(r):
        return f'{r["mean"]:.1f} ± {r["std"]:.1f}' if r['seeds'] > 1 else f'{r["mean"]:.1f}'

    cell = {(r['input'], r['metric']): text(r) for r in rows}
    inputs = list(dict.fromkeys(r['input'] for r in rows))
    lines = ['| input | ' + ' | '.join(metrics) + ' |', '|---|' + '---:|' * len(metrics)]
    for name in inputs:
        lines.append(f'| {name} | ' + ' | '.join(cell.get((name, m), '-') for m in metrics) + ' |')
    return '\n'.join(lines) + '\n'
