"""Write a figure showing every registered degradation on a real image pair.

Usage::

    python tools/analysis/degradation_gallery.py [--out work_dirs/degradation_gallery.png]
        [--seed 0] [--stem 00055D] [--width 320] [--overwrite]

The pair comes from ``<shared data>/ivf/MSRS`` (``fusionbox.utils.paths.shared_data_root()``, env
``FUSIONBOX_SHARED_DATA``); when that folder is absent, scikit-image's sample photographs stand in
(``astronaut`` as the visible image, ``camera`` as the infrared one). Each operation is shown on
the source kind it is meant for (stripes on the infrared image, everything else on the visible
one), with the strength drawn from its default ranges by ``--seed``. An existing figure is
replaced only with ``--overwrite``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np


def load_pair(stem: str | None, width: int) -> tuple:
    """(visible RGB (H, W, 3), infrared grey (H, W, 1), description), float32 in [0, 1]."""
    from fusionbox.utils.image_io import as_image, read_image
    from fusionbox.utils.paths import shared_data_root

    root = shared_data_root() / 'ivf' / 'MSRS'
    if (root / 'vi').is_dir() and (root / 'ir').is_dir():
        names = sorted(p.name for p in (root / 'vi').iterdir() if (root / 'ir' / p.name).exists())
        name = next((n for n in names if Path(n).stem == stem), None) if stem else None
        name = name or next((n for n in names if Path(n).stem.endswith('D')), names[0])
        vi = read_image(root / 'vi' / name, squeeze_grey=False)
        ir = read_image(root / 'ir' / name)[..., 0]
        what = f'MSRS {Path(name).stem} ({root})'
    else:
        from skimage import data

        vi, ir = as_image(data.astronaut(), squeeze_grey=False), as_image(data.camera())[..., 0]
        what = 'scikit-image samples (shared data not found)'
    height = int(round(vi.shape[0] * width / vi.shape[1]))
    vi = cv2.resize(vi, (width, height), interpolation=cv2.INTER_AREA)
    ir = cv2.resize(ir, (width, height), interpolation=cv2.INTER_AREA)
    return vi, ir[..., None], what


def _short(params: dict) -> str:
    parts = [
        f'{k}={v:.3g}' if isinstance(v, float) else f'{k}={v}'
        for k, v in params.items()
        if k != 'kernel_seed'
    ]
    return ', '.join(parts[:3])


def make_gallery(
    out: Path, seed: int = 0, stem: str | None = None, width: int = 320, overwrite: bool = False
) -> Path:
    """Render the gallery to ``out`` (PNG, written atomically; an existing file only with
    ``overwrite``) and return the path."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from fusionbox.degradations import BaseDegradation
    from fusionbox.registry import DEGRADATIONS
    from fusionbox.utils import atomic_path, register_all_modules

    register_all_modules()
    vi, ir, what = load_pair(stem, width)
    names = sorted(
        n
        for n, c in DEGRADATIONS.module_dict.items()
        if isinstance(c, type) and issubclass(c, BaseDegradation)
    )
    panels = [('clean visible', vi), ('clean infrared', ir)]
    for i, name in enumerate(names):
        op = DEGRADATIONS.build(dict(type=name))
        source, label = (vi, 'vi') if op.accepts('vi') or not op.accepts('ir') else (ir, 'ir')
        image, params = op.degrade(source, np.random.default_rng([seed, i]))
        panels.append((f'{name} ({label})\n{_short(params)}', image))
    cols = 4
    rows = -(-len(panels) // cols)
    aspect = vi.shape[0] / vi.shape[1]
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 4 * aspect * rows + 0.6 * rows))
    for ax in axes.ravel():
        ax.axis('off')
    for ax, (title, image) in zip(axes.ravel(), panels):
        shown = image[..., 0] if image.shape[2] == 1 else image
        ax.imshow(np.clip(shown, 0, 1), cmap='gray', vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
    fig.suptitle(f'FusionBox degradations on {what}, seed {seed}', fontsize=10)
    fig.tight_layout()
    out = Path(out)
    with atomic_path(out, overwrite) as tmp:
        fig.savefig(tmp, dpi=100, format='png')
    plt.close(fig)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--out',
        default='work_dirs/degradation_gallery.png',
        help='output PNG (default: work_dirs/degradation_gallery.png)',
    )
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument('--stem', default=None, help='MSRS pair to use (default: a day scene)')
    parser.add_argument('--width', type=int, default=320, help='panel width in pixels')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    from fusionbox.utils.io import exists_error

    if Path(args.out).exists() and not args.overwrite:  # before the work
        print(f'degradation_gallery: error: {exists_error(args.out)}', file=sys.stderr)
        return 1
    out = make_gallery(Path(args.out), args.seed, args.stem, args.width, args.overwrite)
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
