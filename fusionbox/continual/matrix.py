"""The task-by-task accuracy matrix of a sequence and its summaries (BWT, forgetting), written as
JSON, CSV, Markdown and a heat-map figure."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Sequence

from fusionbox.utils.io import atomic_path, atomic_write_json, atomic_write_text

Matrix = Sequence[Sequence[float | None]]


def _mean(values: list[float]) -> float | None:
    return float(sum(values) / len(values)) if values else None


def learned_at(stage_tasks: Sequence[Sequence[str]], tasks: Sequence[str]) -> list[int | None]:
    """For each evaluated task, the first stage that trains it (None if none does)."""
    first = []
    for task in tasks:
        first.append(next((i for i, ts in enumerate(stage_tasks) if task in ts), None))
    return first


def summarize_matrix(
    matrix: Matrix, stage_tasks: Sequence[Sequence[str]], tasks: Sequence[str]
) -> dict:
    """Summaries of ``R[i][j]`` (score on task j after stage i; None where not evaluated).

    With T stages and ``s_j`` the stage that learns task j (``R[j][j]`` when stage j trains task
    j):

    * ``average``: mean over j of ``R[T-1][j]`` (the final model on every task);
    * ``bwt`` (backward transfer): mean over the tasks learned before the last stage of
      ``R[T-1][j] - R[s_j][j]`` (negative = forgetting);
    * ``forgetting``: mean over those tasks of ``max_{s_j <= i < T-1} R[i][j] - R[T-1][j]``;
    * ``plasticity``: mean over j of ``R[s_j][j]`` (each task just after learning it);
    * ``last_task``: ``R[T-1][j]`` of the tasks the last stage trains (their mean).

    Scores are assumed higher-is-better. BWT and forgetting are None with a single stage.
    """
    if not matrix:
        return {}
    last = len(matrix) - 1
    first = learned_at(stage_tasks[: len(matrix)], tasks)
    final = [matrix[last][j] for j in range(len(tasks)) if matrix[last][j] is not None]
    bwt, forgetting, just_learned = [], [], []
    for j, s in enumerate(first):
        if s is None or matrix[s][j] is None:
            continue
        just_learned.append(matrix[s][j])
        if s < last and matrix[last][j] is not None:
            bwt.append(matrix[last][j] - matrix[s][j])
            best = max(matrix[i][j] for i in range(s, last) if matrix[i][j] is not None)
            forgetting.append(best - matrix[last][j])
    last_tasks = [
        matrix[last][j]
        for j, t in enumerate(tasks)
        if t in stage_tasks[last] and matrix[last][j] is not None
    ]
    return {
        'average': _mean(final),
        'bwt': _mean(bwt),
        'forgetting': _mean(forgetting),
        'plasticity': _mean(just_learned),
        'last_task': _mean(last_tasks),
    }


def _fmt(value) -> str:
    if value is None:
        return ''
    return 'nan' if isinstance(value, float) and math.isnan(value) else f'{value:.4f}'


def matrix_to_csv(matrix: Matrix, stages: Sequence[str], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(['after_stage'] + list(columns))
    for name, row in zip(stages, matrix):
        writer.writerow([name] + [_fmt(v) for v in row])
    return buf.getvalue()


def matrix_to_markdown(
    matrix: Matrix, stages: Sequence[str], columns: Sequence[str], summary: dict
) -> str:
    lines = [
        '# Continual learning: accuracy matrix',
        '',
        'R[i][j]: score on task j (column) after training stage i (row).',
        '',
        '| after stage | ' + ' | '.join(columns) + ' |',
        '|' + '---|' * (len(columns) + 1),
    ]
    for name, row in zip(stages, matrix):
        lines.append(f'| {name} | ' + ' | '.join(_fmt(v) for v in row) + ' |')
    lines += ['', '| summary | value |', '|---|---|']
    lines += [f'| {k} | {_fmt(v)} |' for k, v in summary.items()]
    return '\n'.join(lines) + '\n'


def draw_matrix(ax, matrix: Matrix, stages: Sequence[str], columns: Sequence[str]):
    """Draw the matrix as a heat map on the matplotlib axes ``ax`` (empty cells where not
    evaluated), each cell labelled with its value; returns the image (for a colour bar)."""
    import numpy as np

    data = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    image = ax.imshow(np.ma.masked_invalid(data), cmap='viridis', aspect='auto')
    ax.set_xticks(range(len(columns)), labels=list(columns))
    ax.set_yticks(range(len(stages)), labels=list(stages))
    ax.set_xlabel('evaluated task (metric)')
    ax.set_ylabel('after stage')
    finite = data[np.isfinite(data)]
    mid = float(finite.mean()) if finite.size else 0.0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if np.isfinite(data[i, j]):
                color = 'black' if data[i, j] > mid else 'white'
                ax.text(j, i, f'{data[i, j]:.3f}', ha='center', va='center', color=color)
    return image


def save_figure(fig, path, overwrite: bool = False) -> Path:
    """Save the matplotlib figure ``fig`` to ``path`` atomically (format from the suffix; an
    existing file only with ``overwrite``) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    with atomic_path(path, overwrite) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip('.') or 'png', dpi=100)
    plt.close(fig)
    return path


def plot_matrix(
    matrix: Matrix, stages: Sequence[str], columns: Sequence[str], path, overwrite: bool = False
) -> Path:
    """Write a heat map of the matrix (empty cells where not evaluated) to ``path`` (an existing
    file only with ``overwrite``)."""
    import matplotlib

    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.4 + 1.2 * len(columns), 1.0 + 0.7 * len(stages)))
    fig.colorbar(draw_matrix(ax, matrix, stages, columns), ax=ax)
    fig.tight_layout()
    return save_figure(fig, path, overwrite)


def write_matrix(
    out_dir,
    matrix: Matrix,
    stages: Sequence[str],
    stage_tasks: Sequence[Sequence[str]],
    tasks: Sequence[str],
    metrics: Sequence[str],
    basename: str = 'continual_matrix',
    figure: bool = True,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write ``<basename>.json`` / ``.csv`` / ``.md`` (and ``.png``) into ``out_dir``
    atomically (existing files only with ``overwrite``); returns the paths. ``metrics[j]``
    names the score of ``tasks[j]``."""
    out_dir = Path(out_dir)
    summary = summarize_matrix(matrix, stage_tasks, tasks)
    columns = [f'{t} ({m})' for t, m in zip(tasks, metrics)]
    paths = {ext: out_dir / f'{basename}.{ext}' for ext in ('json', 'csv', 'md')}
    atomic_write_json(
        paths['json'],
        {
            'stages': list(stages),
            'stage_tasks': [list(t) for t in stage_tasks],
            'tasks': list(tasks),
            'metrics': list(metrics),
            'matrix': [list(row) for row in matrix],
            'summary': summary,
        },
        overwrite,
    )
    rows = stages[: len(matrix)]
    atomic_write_text(paths['csv'], matrix_to_csv(matrix, rows, columns), overwrite)
    atomic_write_text(paths['md'], matrix_to_markdown(matrix, rows, columns, summary), overwrite)
    if figure and matrix:
        paths['png'] = plot_matrix(matrix, rows, columns, out_dir / f'{basename}.png', overwrite)
    return paths
