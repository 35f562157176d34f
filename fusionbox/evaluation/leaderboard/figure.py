"""The leaderboard figure (per-image ranks with their spread, one panel per dataset) and the
fused thumbnails the HTML page embeds."""

from __future__ import annotations

import io
from typing import Dict, List

import numpy as np

from .ranking import rank_values
from .render import _origin


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
