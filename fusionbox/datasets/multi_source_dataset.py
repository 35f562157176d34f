"""A dataset of registered multi-source samples read from a folder layout."""

from __future__ import annotations

import os.path as osp
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from mmengine.dataset import BaseDataset

from fusionbox.registry import DATASETS, TRANSFORMS
from fusionbox.structures import task_index
from fusionbox.utils.image_io import IMAGE_EXTENSIONS, is_image_file, list_images

from .layouts import get_layout

#: The values of ``subset``: all samples, all but the held-out ones, the held-out ones.
SUBSETS = (None, 'train', 'holdout')


def _list_images(folder: Path, what: str) -> Dict[str, Path]:
    """Map file stem -> image path in ``folder``, with clear errors for missing, empty or
    ambiguous content (``what`` says which role the folder plays)."""
    found = list_images(folder, what)
    if not found:
        raise FileNotFoundError(
            f'{what} folder {folder} holds no image ({", ".join(IMAGE_EXTENSIONS)})'
        )
    return found


def _find_suffixed(sample_dir: Path, suffix: str, what: str) -> Path:
    """The image ``<sample_dir>/<dir name><suffix>.<ext>`` (case-insensitive)."""
    wanted = (sample_dir.name + suffix).lower()
    hits = [
        p for p in sorted(sample_dir.iterdir()) if is_image_file(p) and p.stem.lower() == wanted
    ]
    if not hits:
        raise FileNotFoundError(
            f'sample folder {sample_dir} lacks its {what} image ' f'{sample_dir.name}{suffix}.<ext>'
        )
    if len(hits) > 1:
        raise ValueError(
            f'sample folder {sample_dir} holds several {what} images: '
            f'{", ".join(p.name for p in hits)}'
        )
    return hits[0]


@DATASETS.register_module()
class MultiSourceFusionDataset(BaseDataset):
    """Registered multi-source samples (two or more sources) matched by file stem.

    Folder layout (default): ``<data_root>/<source>/<stem>.<ext>`` for every source, optional
    ``<data_root>/<gt>/<stem>.<ext>`` and ``<data_root>/<mask>/<stem>.<ext>``. Sample-folder
    layout (``sample_dirs=True``): ``<data_root>/<stem>/<stem><suffix>.<ext>`` where ``sources``
    (and ``gt``, ``mask``) are the suffixes. Files match whatever their image extension is.

    Each ``data_list`` entry holds ``source_paths``, ``source_names``, ``gt_path``,
    ``mask_path``, ``pseudo_label_path`` (None when absent), ``task``, ``stem``, ``dataset`` (the
    layout name, None without one: it tells apart equal stems of different sets, e.g. the three
    Harvard sets), ``prompt`` and ``sample_idx``.

    Args:
        data_root: the dataset folder.
        task: one of :data:`fusionbox.structures.TASKS`; may be omitted with a ``layout``.
            Defaults to None.
        sources: source folders (or suffixes) relative to ``data_root``, in model order; taken
            from ``layout`` when omitted. Defaults to None.
        gt: ground-truth folder (or suffix). Defaults to None (the layout's, if any).
        mask: mask folder (or suffix). Defaults to None (the layout's, if any).
        prompt: a text prompt given to every sample. Defaults to ''.
        layout: a name from :data:`fusionbox.datasets.layouts.LAYOUTS`. Defaults to None.
        source_names: names recorded per source; defaults to the layout's names, else the
            ``sources`` without a leading ``_``. Defaults to None.
        sample_dirs: read a folder per sample (see above); set by the layout when one is
            named. Defaults to False.
        pseudo_label_dir: folder of pseudo-labels ``<stem>.<ext>`` (relative to ``data_root``
            or absolute); every sample must have one. Defaults to None.
        subset: which samples to keep, by their position in stem order: ``'train'`` all but
            the held-out ones, ``'holdout'`` only the held-out ones (every ``holdout_every``-th
            stem: positions ``holdout_every - 1``, ``2 * holdout_every - 1``, ...), None all of
            them. See :func:`holdout_stems`. Defaults to None.
        holdout_every: one stem in this many is held out. Defaults to 5.
        pipeline: transforms (configs or callables). Defaults to ().
        test_mode: MMEngine's test mode. Defaults to False.
        **kwargs: passed to :class:`mmengine.dataset.BaseDataset` (``indices``, ``lazy_init``,
            ``serialize_data``, ``max_refetch``...).
    """

    METAINFO = dict(dataset_type='multi_source_fusion')

    def __init__(
        self,
        data_root: str | Path,
        task: str | None = None,
        sources: Sequence[str] | None = None,
        gt: str | None = None,
        mask: str | None = None,
        prompt: str = '',
        layout: str | None = None,
        source_names: Sequence[str] | None = None,
        sample_dirs: bool = False,
        pseudo_label_dir: str | Path | None = None,
        subset: str | None = None,
        holdout_every: int = 5,
        pipeline: Sequence = (),
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        if layout is not None:
            named = get_layout(layout)
            if task is not None and task != named.task:
                raise ValueError(f'layout {layout!r} is a {named.task!r} dataset, not {task!r}')
            task = named.task
            if sources is None:
                sources = named.sources
                source_names = source_names or named.names
            gt = gt if gt is not None else named.gt
            mask = mask if mask is not None else named.mask
            sample_dirs = named.sample_dirs
        if task is None:
            raise ValueError('give a task or a layout')
        task_index(task)
        if sources is None or len(sources) < 2:
            raise ValueError(f'a fusion sample needs >= 2 sources, got sources={sources}')
        if source_names is None:
            source_names = [s.lstrip('_') if sample_dirs else s for s in sources]
        if len(source_names) != len(sources):
            raise ValueError(f'{len(source_names)} source_names for {len(sources)} sources')
        self.task = task
        self.sources: Tuple[str, ...] = tuple(sources)
        self.source_names: Tuple[str, ...] = tuple(source_names)
        self.gt, self.mask, self.prompt = gt, mask, prompt
        self.layout, self.sample_dirs = layout, sample_dirs
        self.pseudo_label_dir = pseudo_label_dir
        if subset not in SUBSETS:
            raise ValueError(f'subset must be one of {SUBSETS}, got {subset!r}')
        if holdout_every < 2:
            raise ValueError(f'holdout_every must be >= 2, got {holdout_every}')
        self.subset, self.holdout_every = subset, holdout_every
        # build transform configs from FusionBox's registry, so no default scope is needed
        pipeline = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]
        super().__init__(data_root=str(data_root), pipeline=pipeline, test_mode=test_mode, **kwargs)
        # set here: BaseDataset would read str metainfo values as file names
        self._metainfo.update(task=task, source_names=self.source_names, layout=layout)

    # --- listing ---------------------------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        """Match the sources by stem and return the ``data_list`` (sorted by stem)."""
        root = Path(self.data_root)
        if not root.is_dir():
            raise FileNotFoundError(f'data_root {root} does not exist')
        if self.sample_dirs:
            rows = self._list_sample_dirs(root)
        else:
            rows = self._list_folders(root)
        rows = self._select_subset(root, rows)
        labels = self._pseudo_labels(root, [r[0] for r in rows])
        return [
            dict(
                source_paths=paths,
                source_names=list(self.source_names),
                gt_path=gt,
                mask_path=mask,
                pseudo_label_path=labels.get(stem),
                task=self.task,
                stem=stem,
                dataset=self.layout,
                prompt=self.prompt,
                sample_idx=idx,
            )
            for idx, (stem, paths, gt, mask) in enumerate(rows)
        ]

    def _list_folders(self, root: Path) -> List[tuple]:
        listed = [_list_images(root / s, f'source {s!r}') for s in self.sources]
        stems = sorted(set().union(*listed))
        for folder, files in zip(self.sources, listed):
            missing = [s for s in stems if s not in files]
            if missing:
                has = next(f for f, fl in zip(self.sources, listed) if missing[0] in fl)
                raise FileNotFoundError(
                    f'{len(missing)} sample(s) lack their partner in source folder '
                    f'{root / folder}: stem {missing[0]!r} is in {root / has} but not in '
                    f'{root / folder}' + (f' (also: {missing[1:6]})' if len(missing) > 1 else '')
                )
        extra = {}
        for role, folder in (('gt', self.gt), ('mask', self.mask)):
            if folder is None:
                continue
            files = _list_images(root / folder, role)
            missing = [s for s in stems if s not in files]
            if missing:
                raise FileNotFoundError(
                    f'{role} folder {root / folder} lacks stem '
                    f'{missing[0]!r} ({len(missing)} missing)'
                )
            extra[role] = files
        return [
            (
                stem,
                [str(files[stem]) for files in listed],
                _opt(extra.get('gt'), stem),
                _opt(extra.get('mask'), stem),
            )
            for stem in stems
        ]

    def _list_sample_dirs(self, root: Path) -> List[tuple]:
        dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith('.'))
        if not dirs:
            raise FileNotFoundError(f'data_root {root} holds no sample folder')
        rows = []
        for d in dirs:
            paths = [str(_find_suffixed(d, s, f'source {s!r}')) for s in self.sources]
            gt = str(_find_suffixed(d, self.gt, 'gt')) if self.gt else None
            mask = str(_find_suffixed(d, self.mask, 'mask')) if self.mask else None
            rows.append((d.name, paths, gt, mask))
        return rows

    def _select_subset(self, root: Path, rows: List[tuple]) -> List[tuple]:
        if self.subset is None:
            return rows
        held = set(holdout_stems([r[0] for r in rows], self.holdout_every))
        keep = [r for r in rows if (r[0] in held) == (self.subset == 'holdout')]
        if not keep:
            raise ValueError(
                f'subset {self.subset!r} of {root} is empty: {len(rows)} sample(s), one in '
                f'{self.holdout_every} held out'
            )
        return keep

    def _pseudo_labels(self, root: Path, stems: List[str]) -> Dict[str, str]:
        if self.pseudo_label_dir is None:
            return {}
        folder = Path(self.pseudo_label_dir)
        folder = folder if folder.is_absolute() else root / folder
        files = _list_images(folder, 'pseudo-label')
        missing = [s for s in stems if s not in files]
        if missing:
            raise FileNotFoundError(
                f'pseudo-label folder {folder} lacks stem {missing[0]!r} '
                f'({len(missing)} missing)'
            )
        return {s: str(files[s]) for s in stems}

    def __repr__(self) -> str:
        where = self.layout or ('sample folders' if self.sample_dirs else 'folders')
        return (
            f'{type(self).__name__}(task={self.task!r}, sources={list(self.source_names)}, '
            f'{where}, data_root={osp.abspath(self.data_root)!r}, '
            f'{len(self) if self._fully_initialized else "?"} samples)'
        )


def holdout_stems(stems: Sequence[str], every: int = 5) -> List[str]:
    """The held-out stems of a dataset: in sorted order, every ``every``-th one (positions
    ``every - 1``, ``2 * every - 1``, ...), so a set with fewer than ``every`` samples holds
    none out. Deterministic: it depends on the stems only."""
    ordered = sorted(stems)
    return [s for i, s in enumerate(ordered) if i % every == every - 1]


def _opt(files: Dict[str, Path] | None, stem: str) -> str | None:
    return None if files is None else str(files[stem])
