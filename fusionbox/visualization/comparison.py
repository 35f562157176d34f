"""Figures people look at instead of reading: sources beside fused results.

:func:`draw_grid` is the one figure drawer: one row per sample (its sources, the ground truth
where there is one, then each method's result), images shown as they are (colour in colour,
grey in grey, all on [0, 1]), titles over the columns, and below each sample a second row with
the same zoomed window of every image (``crop=(x, y, w, h)``, or per sample the window of
highest gradient energy: :func:`zoom_window`), marked by a box on the full images.
:func:`save_comparison_figure` (training hooks, the demo) draws through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

from fusionbox.utils.io import atomic_path, exists_error

#: Figure formats :func:`draw_grid` writes.
FIGURE_FORMATS = ('png', 'pdf')
#: Side of the automatic zoom window, as a fraction of the image's shorter side.
ZOOM_FRACTION = 0.25
_CELL_INCHES = 2.2


@dataclass
class GridRow:
    """One sample of a grid: its title and its cells ``(column title, image or None)``; None
    draws an empty cell marked 'missing'. Images: (H, W), (H, W, 1) or (H, W, 3) RGB; uint8,
    uint16 or float in [0, 1]."""

    title: str
    cells: List[Tuple[str, np.ndarray | None]] = field(default_factory=list)
    #: The leading cells (the sources) the automatic zoom window is chosen on; 0: all cells.
    zoom_on: int = 0


def as_display(image) -> np.ndarray:
    """An image as matplotlib shows it on [0, 1]: float (H, W) grey or (H, W, 3) RGB."""
    from fusionbox.utils.image_io import as_image

    image = np.clip(as_image(image, 'figure image', squeeze_grey=True), 0, 1)  # (H, W, C)
    return image[..., 0] if image.shape[2] == 1 else image


def wrap_title(title: str, width: int = 22) -> str:
    """``title`` broken into lines of about ``width`` characters after ``_``, ``-``, `` ``."""
    lines, line = [], ''
    for part in re.split(r'(?<=[_\- ])', title):
        if line and len(line) + len(part) > width:
            lines.append(line)
            line = ''
        line += part
    return '\n'.join([*lines, line])


def _luma(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else image @ np.array([0.299, 0.587, 0.114], np.float32)


def zoom_window(images: Sequence[np.ndarray], frac: float = ZOOM_FRACTION) -> tuple:
    """The square ``(x, y, w, h)`` window, ``frac`` of the shorter side, where the images (e.g.
    the sources of a sample, same size) have the most gradient energy (summed |Laplacian|)."""
    import cv2

    lumas = [_luma(as_display(im)).astype(np.float32) for im in images]
    h, w = lumas[0].shape
    side = max(8, int(min(h, w) * frac))
    energy = sum(np.abs(cv2.Laplacian(luma, cv2.CV_32F)) for luma in lumas)
    box = cv2.boxFilter(energy, -1, (side, side), normalize=True, borderType=cv2.BORDER_CONSTANT)
    half = side // 2
    valid = box[half : h - side + half + 1, half : w - side + half + 1]  # windows inside
    y, x = np.unravel_index(int(np.argmax(valid)), valid.shape)
    return int(x), int(y), side, side


def check_crop(crop: Sequence[int], shape: Sequence[int], name: str) -> tuple:
    """``crop`` (x, y, w, h) as ints, inside an image of ``shape`` (ValueError naming ``name``)."""
    x, y, w, h = (int(v) for v in crop)
    if w < 1 or h < 1 or x < 0 or y < 0 or x + w > shape[1] or y + h > shape[0]:
        raise ValueError(
            f'crop {x},{y},{w},{h} is not inside {name} ({shape[1]}x{shape[0]}); give x,y,w,h '
            'with x + w <= width and y + h <= height'
        )
    return x, y, w, h


def draw_grid(
    rows: Sequence[GridRow],
    path,
    zoom: bool = True,
    crop: Sequence[int] | None = None,
    formats: Sequence[str] = ('png',),
    overwrite: bool = False,
    dpi: int = 110,
) -> List[Path]:
    """Draw ``rows`` as a samples x methods grid and write it (atomically) in each format.

    Args:
        rows: the samples; every cell of a row has the size of its first image.
        path: the figure file; its suffix is replaced by each format's.
        zoom: add the zoomed row under each sample. Defaults to True.
        crop: the zoom window (x, y, w, h) of every sample; None: per sample
            :func:`zoom_window` of its images. Defaults to None.
        formats: of :data:`FIGURE_FORMATS`. Defaults to ('png',).
        overwrite: replace existing files (else OutputExistsError naming one). Defaults to
            False.
        dpi: resolution. Defaults to 110.

    Returns:
        The files written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    if not rows or not any(row.cells for row in rows):
        raise ValueError('no samples to draw')
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown:
        raise ValueError(f'figure formats {unknown}: choose from {FIGURE_FORMATS}')
    paths = [Path(path).with_suffix(f'.{f}') for f in formats]
    for p in paths if not overwrite else []:
        if p.exists():  # before drawing
            raise exists_error(p)
    ncol = max(len(row.cells) for row in rows)
    shared = all([t for t, _ in r.cells] == [t for t, _ in rows[0].cells] for r in rows)
    plan, ratios = [], []
    for row in rows:
        images = [None if im is None else as_display(im) for _, im in row.cells]
        first = next(im for im in images if im is not None)
        window = None
        if zoom:
            chosen = images[: row.zoom_on] if row.zoom_on else images
            window = (
                check_crop(crop, first.shape, row.title)
                if crop
                else zoom_window([im for im in chosen if im is not None] or [first])
            )
        plan.append((row, images, window))
        ratios.append(first.shape[0] / first.shape[1])
        if zoom:
            ratios.append(window[3] / window[2])
    fig = Figure(figsize=(_CELL_INCHES * ncol, _CELL_INCHES * sum(ratios) + 0.3 * len(rows)))
    FigureCanvasAgg(fig)
    axes = np.array(fig.subplots(len(ratios), ncol, squeeze=False, height_ratios=ratios))
    for ax in axes.ravel():
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_frame_on(False)
    r = 0
    for i, (row, images, window) in enumerate(plan):
        for c, ((title, _), image) in enumerate(zip(row.cells, images)):
            top = axes[r, c]
            if i == 0 or not shared:
                top.set_title(wrap_title(title), fontsize=9)
            if image is None:
                top.text(0.5, 0.5, 'missing', ha='center', va='center', fontsize=8, color='grey')
                continue
            grey = dict(cmap='gray') if image.ndim == 2 else {}
            top.imshow(image, vmin=0, vmax=1, interpolation='nearest', **grey)
            if window is not None:
                x, y, w, h = window
                top.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False, color='yellow', lw=1))
                zoomed = image[y : y + h, x : x + w]
                axes[r + 1, c].imshow(zoomed, vmin=0, vmax=1, interpolation='nearest', **grey)
        axes[r, 0].set_ylabel(row.title, fontsize=9)
        r += 2 if window is not None else 1
    fig.tight_layout()
    for p, fmt in zip(paths, formats):
        with atomic_path(p, overwrite=overwrite) as tmp:
            fig.savefig(tmp, dpi=dpi, format=fmt)
    return paths


def save_comparison_figure(
    examples: dict, path, dpi: int = 110, zoom: bool = False, overwrite: bool = False
) -> Path:
    """Save a grid: one row per example, its sources then its fused result(s).

    Args:
        examples: ``{task: [(stem, source_names, [source images], fused image or
            {method: image}), ...]}``; images as :class:`GridRow` takes them.
        path: the PNG to write (atomically).
        dpi: resolution. Defaults to 110.
        zoom: add a zoomed row under each example. Defaults to False.
        overwrite: replace an existing file. Defaults to False.
    """
    rows = []
    for task, exs in examples.items():
        for stem, names, sources, fused in exs:
            cells = [
                (names[k] if k < len(names) else f'source {k}', s) for k, s in enumerate(sources)
            ]
            cells += list((fused if isinstance(fused, dict) else {'fused': fused}).items())
            rows.append(GridRow(f'{task}/{stem}', cells, zoom_on=len(sources)))
    return draw_grid(rows, path, zoom=zoom, dpi=dpi, overwrite=overwrite)[0]
