"""Writing a leaderboard: its own files only, each replaced atomically.

A leaderboard writes ``leaderboard.{md,csv,json,html,png}`` and, for each ``--model``, the
folder ``fused/<NAME>``; everything is first written into a hidden folder beside the output
folder (:func:`staging_dir`). A new output folder is that staging folder renamed into place.
Into an existing folder only those paths are moved, each by one rename: any of them that
already exists is refused unless ``overwrite``, and nothing else in the folder is touched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

from .figure import draw_figure, thumbnails
from .render import to_csv, to_html, to_markdown

FILES = {k: f'leaderboard.{k}' for k in ('md', 'csv', 'json', 'html', 'png')}


def output_paths(models: Sequence[str] = ()) -> List[Path]:
    """The paths (relative to the output folder) a leaderboard with these models writes."""
    return [Path(f) for f in FILES.values()] + [Path('fused') / m for m in models]


def existing_outputs(out_dir, models: Sequence[str] = ()) -> List[Path]:
    """Those of :func:`output_paths` that already exist under ``out_dir``."""
    out_dir = Path(out_dir)
    return [out_dir / p for p in output_paths(models) if (out_dir / p).exists()]


def staging_dir(out_dir) -> Path:
    """A fresh hidden folder beside ``out_dir`` for :func:`write_leaderboard`'s ``staging``."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{out_dir.name}.', dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # the mode of a folder made normally (mkdtemp gives 0700)
    return tmp


def write_leaderboard(
    board: dict, out_dir, overwrite: bool = False, staging=None
) -> Dict[str, Path]:
    """Write the leaderboard's files into ``out_dir`` (see the module docstring).

    Args:
        board: from :func:`~.ranking.build_leaderboard` or :func:`~.ranking.rank_with_published`.
        out_dir: the output folder; it may hold other files, which are kept.
        overwrite: replace the leaderboard's own files where they exist; else FileExistsError
            naming the first. Defaults to False.
        staging: a folder from :func:`staging_dir` that already holds ``fused/<NAME>``
            folders of models; it is consumed (moved or removed), also on failure.
            Defaults to None.

    Returns:
        ``{'md' | 'csv' | 'json' | 'html' | 'png': path}``.
    """
    out_dir = Path(out_dir)
    tmp = Path(staging) if staging is not None else staging_dir(out_dir)
    try:
        models = (
            sorted(p.name for p in (tmp / 'fused').iterdir()) if (tmp / 'fused').is_dir() else []
        )
        clash = existing_outputs(out_dir, models)
        if clash and not overwrite:
            raise FileExistsError(
                f'{clash[0]} exists; pass overwrite (--overwrite) to replace the '
                "leaderboard's files (other files in the folder are kept)"
            )
        thumbs = thumbnails(board)
        # the models' fused images end up in out_dir: point the rows there
        board = dict(board, rows=[_moved(r, tmp, out_dir) for r in board['rows']])
        figure = draw_figure(board)
        (tmp / FILES['png']).write_bytes(figure)
        (tmp / FILES['md']).write_text(to_markdown(board))
        (tmp / FILES['csv']).write_text(to_csv(board))
        (tmp / FILES['json']).write_text(json.dumps(board, indent=2) + '\n')
        (tmp / FILES['html']).write_text(to_html(board, figure, thumbs))
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        else:
            _move_outputs(tmp, out_dir, output_paths(models))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {k: out_dir / f for k, f in FILES.items()}


def _moved(row: dict, tmp: Path, out_dir: Path) -> dict:
    file = row.get('file')
    if file and Path(file).is_relative_to(tmp):
        return dict(row, file=str(out_dir / Path(file).relative_to(tmp)))
    return row


def _move_outputs(tmp: Path, out_dir: Path, paths: Sequence[Path]) -> None:
    """Move each of ``paths`` from ``tmp`` into ``out_dir``: a file by ``os.replace``, a folder
    by renaming the old one aside first (then removed)."""
    trash = Path(tempfile.mkdtemp(prefix=f'.{out_dir.name}.old.', dir=out_dir.parent))
    try:
        for i, rel in enumerate(paths):
            src, dst = tmp / rel, out_dir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir() and dst.exists():
                os.replace(dst, trash / str(i))
            os.replace(src, dst)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
