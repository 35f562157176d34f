"""Figures people look at instead of reading: sources beside fused results."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fusionbox.utils.io import atomic_path


def save_comparison_figure(examples: dict, path, dpi: int = 110) -> Path:
    """Save a grid: one row per example, its sources then its fused result(s).

    Args:
        examples: ``{task: [(stem, source_names, [source images], fused image or
            {method: image}), ...]}``; images are uint8 (H, W) grey or (H, W, 3) RGB.
        path: the PNG to write (atomically).
        dpi: resolution. Defaults to 110.
    """
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows = [(task, *ex) for task, exs in examples.items() for ex in exs]
    if not rows:
        raise ValueError('no examples to draw')

    def fused_dict(fused):
        return fused if isinstance(fused, dict) else {'fused': fused}

    ncols = max(len(r[3]) + len(fused_dict(r[4])) for r in rows)
    fig, axes = plt.subplots(
        len(rows), ncols, figsize=(2.2 * ncols, 2.3 * len(rows)), squeeze=False
    )
    for ax in axes.ravel():
        ax.axis('off')
    for i, (task, stem, names, sources, fused) in enumerate(rows):
        panels = [
            (names[k] if k < len(names) else f'source {k}', src) for k, src in enumerate(sources)
        ]
        panels += list(fused_dict(fused).items())
        for j, (title, image) in enumerate(panels):
            ax = axes[i, j]
            ax.imshow(image, cmap='gray' if np.ndim(image) == 2 else None, vmin=0, vmax=255)
            ax.set_title(f'{task}/{stem}: {title}' if j == 0 else title, fontsize=8)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format='png')
    plt.close(fig)
    return path
