"""Build (or find in the cache) the embedded benchmark on disk, atomically.

Folder layout, the standard one that :class:`MultiSourceFusionDataset` reads::

    <root>/<version>-seed<seed>-s<size>/<task>/<split>/<source>/<stem>.png
                                                      /gt/<stem>.png      (mef, mff)
                                                      /masks/<stem>.png   (ivf, mff)
                                                      /meta.json          (written last)

Each split folder is generated into a temporary sibling and renamed into place when complete,
so a reader never sees half a split; when two processes race, the first rename wins and the
other discards its copy. A complete split folder is never replaced or deleted, since other
processes may be reading it: a request for more samples than it holds writes a new sibling
``<split>-n<num_samples>`` (found by later requests for as many or fewer). Only a damaged
folder (no valid ``meta.json``, files missing) is regenerated in place. Sample ``i`` depends only
on ``(seed, task, split, i, size)``, so a cache made for more samples serves fewer.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, Iterable

import numpy as np

from fusionbox.structures import TASKS, task_index
from fusionbox.tasks import get_task
from fusionbox.utils.image_io import write_image
from fusionbox.utils.paths import cache_root

from .common import SPLITS

#: Bump when a generator changes what it writes (old caches are then left alone).
EMBEDDED_VERSION = 'v1'
#: Sample counts per split when none is given.
DEFAULT_NUM_SAMPLES = {'train': 32, 'val': 4, 'test': 8}
GT_DIR, MASK_DIR, META = 'gt', 'masks', 'meta.json'


def embedded_generator(task: str):
    """The generator module of ``task`` (its spec's ``embedded``: a module with ``SOURCES`` and
    ``generate(rng, split, size)``); ValueError for a task without one."""
    spec = get_task(task)
    if spec.embedded is None:
        raise ValueError(
            f'fusion task {task!r} has no embedded generator (its spec: embedded=None)'
        )
    return importlib.import_module(spec.embedded)


def has_gt(task: str) -> bool:
    """Whether the embedded split of ``task`` has a ground truth (the spec's ``has_gt``)."""
    return bool(get_task(task).has_gt)


def has_mask(task: str) -> bool:
    """Whether the embedded generator of ``task`` writes masks (the spec's ``has_mask``)."""
    return bool(get_task(task).has_mask)


def embedded_sources(task: str) -> tuple:
    """The source folder names of ``task`` in the embedded benchmark, in model order."""
    return tuple(embedded_generator(task).SOURCES)


def embedded_split_dir(
    task: str, split: str, seed: int = 0, size: int = 128, root: str | Path | None = None
) -> Path:
    """Where a split lives: ``<root>/<version>-seed<seed>-s<size>/<task>/<split>``."""
    root = Path(root) if root is not None else cache_root() / 'embedded'
    return root / f'{EMBEDDED_VERSION}-seed{seed}-s{size}' / task / split


def stem_of(task: str, split: str, index: int) -> str:
    """File stem of sample ``index`` (zero-padded so that sorting keeps the order)."""
    return f'{task}-{split}-{index:05d}'


def _is_complete(folder: Path, task: str, num_samples: int) -> bool:
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        return False
    if meta.get('version') != EMBEDDED_VERSION or meta.get('num_samples', 0) < num_samples:
        return False
    dirs = list(embedded_sources(task)) + [GT_DIR] * has_gt(task) + [MASK_DIR] * has_mask(task)
    split = meta.get('split', folder.name)  # a grown folder is named <split>-n<count>
    stems = [stem_of(task, split, i) for i in (0, num_samples - 1)]
    return all((folder / d / f'{s}.png').is_file() for d in dirs for s in stems)


def _write_png(path: Path, image: np.ndarray) -> None:
    write_image(path, image)  # uint8 (H, W) or (H, W, 3) RGB, into a fresh folder


def _generate_into(
    folder: Path, task: str, split: str, seed: int, size: int, num_samples: int
) -> None:
    gen, gt, mask = embedded_generator(task), has_gt(task), has_mask(task)
    for d in tuple(gen.SOURCES) + (GT_DIR,) * gt + (MASK_DIR,) * mask:
        (folder / d).mkdir(parents=True, exist_ok=True)
    infos = {}
    for i in range(num_samples):
        rng = np.random.default_rng([seed, task_index(task), SPLITS.index(split), i, size])
        sample = gen.generate(rng, split, size)
        stem = stem_of(task, split, i)
        for name, image in zip(gen.SOURCES, sample['sources']):
            _write_png(folder / name / f'{stem}.png', image)
        if gt:
            _write_png(folder / GT_DIR / f'{stem}.png', sample['gt'])
        if mask:
            _write_png(folder / MASK_DIR / f'{stem}.png', sample['mask'])
        infos[stem] = sample.get('info', {})
    meta = dict(
        version=EMBEDDED_VERSION,
        task=task,
        split=split,
        seed=seed,
        size=size,
        num_samples=num_samples,
        sources=list(gen.SOURCES),
        gt=GT_DIR if gt else None,
        mask=MASK_DIR if mask else None,
        samples=infos,
    )
    (folder / META).write_text(json.dumps(meta, indent=1) + '\n')


def build_embedded_split(
    task: str,
    split: str,
    seed: int = 0,
    size: int = 128,
    num_samples: int | None = None,
    root: str | Path | None = None,
) -> Path:
    """Make sure one split is on disk (generate it atomically if needed) and return its folder.

    Args:
        task: one of :data:`fusionbox.structures.TASKS`.
        split: 'train', 'val' or 'test'.
        seed: the random seed. Defaults to 0.
        size: image side in pixels (>= 32). Defaults to 128.
        num_samples: samples to have; defaults to :data:`DEFAULT_NUM_SAMPLES` of the split.
        root: the cache folder; defaults to ``cache_root()/embedded``.
    """
    task_index(task)
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}; expected one of {SPLITS}')
    if size < 32:
        raise ValueError(f'embedded images need size >= 32, got {size}')
    num_samples = DEFAULT_NUM_SAMPLES[split] if num_samples is None else int(num_samples)
    if num_samples < 1:
        raise ValueError(f'num_samples must be >= 1, got {num_samples}')
    base = embedded_split_dir(task, split, seed, size, root)
    for folder in _split_folders(base):
        if _is_complete(folder, task, num_samples):
            return folder
    final = base
    if _is_complete(base, task, 1):  # complete but smaller: readers may use it, keep it
        final = _grown_dir(base, num_samples)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.tmp-{split}-', dir=final.parent))
    try:
        _generate_into(tmp, task, split, seed, size, num_samples)
        return _publish(tmp, final, task, num_samples)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _grown_dir(base: Path, num_samples: int) -> Path:
    return base.with_name(f'{base.name}-n{num_samples}')


def _split_folders(base: Path) -> list:
    """``base`` then its grown siblings ``<split>-n<count>``, smallest count first."""
    grown = []
    for path in base.parent.glob(f'{base.name}-n*') if base.parent.is_dir() else ():
        count = path.name[len(base.name) + 2 :]
        if count.isdigit():
            grown.append((int(count), path))
    return [base] + [path for _, path in sorted(grown)]


def _publish(tmp: Path, final: Path, task: str, num_samples: int) -> Path:
    """Rename ``tmp`` to ``final`` and return where the split is: a complete ``final`` made by
    a racing process wins; a complete but smaller one is kept and the split goes beside it."""
    for _ in range(5):
        try:
            os.rename(tmp, final)
            return final
        except OSError:  # final exists (not empty)
            if _is_complete(final, task, num_samples):
                return final
            if _is_complete(final, task, 1):  # never replace a complete split: readers
                final = _grown_dir(final, num_samples)
                continue
            stale = final.with_name(f'.stale-{final.name}-{uuid.uuid4().hex[:8]}')
            try:
                os.rename(final, stale)
            except FileNotFoundError:
                pass
            else:
                shutil.rmtree(stale, ignore_errors=True)
        time.sleep(0.05)
    raise OSError(f'could not move the generated split into {final}')


def build_embedded_benchmark(
    root: str | Path | None = None,
    seed: int = 0,
    size: int = 128,
    tasks: Iterable[str] = TASKS,
    splits: Iterable[str] = SPLITS,
    num_samples: Dict[str, int] | None = None,
) -> Path:
    """Build every (task, split) of the embedded benchmark; return ``<root>/<version>-...``.

    Args:
        root: the cache folder; defaults to ``cache_root()/embedded``.
        seed: the random seed. Defaults to 0.
        size: image side in pixels. Defaults to 128.
        tasks: tasks to build. Defaults to all of :data:`TASKS`.
        splits: splits to build. Defaults to ('train', 'val', 'test').
        num_samples: samples per split; defaults to :data:`DEFAULT_NUM_SAMPLES`.
    """
    counts = {**DEFAULT_NUM_SAMPLES, **(num_samples or {})}
    for task in tasks:
        for split in splits:
            build_embedded_split(task, split, seed, size, counts[split], root)
    return embedded_split_dir(TASKS[0], 'train', seed, size, root).parents[1]
