"""What a leaderboard evaluates: datasets (source folders or a named layout), methods' result
folders and FusionBox models, parsed from their command-line forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple


@dataclass
class DatasetSpec:
    """One evaluation set.

    Args:
        name: label in the tables (and the sub-folder looked for in a method's folder).
        task: fusion task, e.g. ``'ivf'``.
        sources: ``[(source_name, folder), ...]`` in model order (source-folder form).
            Defaults to [].
        layout: a named layout of :mod:`fusionbox.datasets.layouts` (``MSRS``, ``MEFB``,
            ``Lytro``, ...) read from ``root``. Defaults to None.
        root: the layout's data root. Defaults to None.
    """

    name: str
    task: str
    sources: List[Tuple[str, Path]] = field(default_factory=list)
    layout: str | None = None
    root: Path | None = None

    def samples(self) -> List[Tuple[str, List[Path], Tuple[str, ...]]]:
        """``[(stem, source_paths, source_names), ...]`` sorted by stem, listed by the datasets
        module (:class:`~fusionbox.datasets.MultiSourceFusionDataset`): a stem without its
        partner in every source raises FileNotFoundError naming the folders."""
        from fusionbox.datasets.multi_source_dataset import MultiSourceFusionDataset

        if self.layout is not None:
            ds = MultiSourceFusionDataset(self.root, layout=self.layout, lazy_init=True)
        else:
            ds = MultiSourceFusionDataset(
                '.',
                task=self.task,
                sources=[str(Path(folder).resolve()) for _, folder in self.sources],
                source_names=[n for n, _ in self.sources],
                lazy_init=True,
            )
        return [
            (r['stem'], [Path(p) for p in r['source_paths']], tuple(r['source_names']))
            for r in ds.load_data_list()
        ]


def parse_dataset(spec: str, root: str | None = None) -> DatasetSpec:
    """``NAME:TASK:SRC1=DIR,SRC2=DIR`` or ``LAYOUT=ROOT`` (any named layout of
    :mod:`fusionbox.datasets.layouts`, folder or sample-folder kind, e.g.
    ``VIFB=../shared/data/ivf/VIFB``, ``MEFB=../shared/data/mef/MEFB``); a relative ``ROOT`` or
    ``DIR`` is taken under ``root`` when given."""
    base = Path(root) if root else None

    def path(p):
        p = Path(p)
        return base / p if base is not None and not p.is_absolute() else p

    if ':' in spec:
        name, task, srcs = spec.split(':', 2)
        sources = []
        for item in srcs.split(','):
            src, sep, folder = item.partition('=')
            if not sep or not src or not folder:
                raise ValueError(f'--dataset source expects NAME=DIR, got {item!r} in {spec!r}')
            sources.append((src, path(folder)))
        if not name or not task or len(sources) < 1:
            raise ValueError(f'--dataset expects NAME:TASK:SRC=DIR,...; got {spec!r}')
        return DatasetSpec(name, task, sources)
    from fusionbox.datasets.layouts import get_layout

    name, sep, folder = spec.partition('=')
    if not sep:
        raise ValueError(f'--dataset expects NAME:TASK:SRC=DIR,... or LAYOUT=ROOT; got {spec!r}')
    layout = get_layout(name)
    data_root = path(folder)
    if not data_root.is_dir():
        raise FileNotFoundError(f'--dataset {spec}: data root {data_root} is not a folder')
    return DatasetSpec(name, layout.task, layout=name, root=data_root)


def method_folder(folder, dataset: str, n_datasets: int) -> Path:
    """A method's results for ``dataset``: ``folder/<dataset>`` if it exists, else ``folder``
    itself (only with a single dataset)."""
    folder = Path(folder)
    if (folder / dataset).is_dir():
        return folder / dataset
    if n_datasets > 1:
        raise FileNotFoundError(
            f'{folder / dataset} not found: with several datasets a method '
            'folder holds one sub-folder per dataset'
        )
    return folder


@dataclass
class ModelSpec:
    """A FusionBox model to run inside the leaderboard: ``NAME=CONFIG:CHECKPOINT``."""

    name: str
    config: Path
    checkpoint: Path


def parse_model(spec: str) -> ModelSpec:
    """``NAME=CONFIG:CHECKPOINT`` (the checkpoint path follows the first ``:`` after the
    config)."""
    name, sep, rest = spec.partition('=')
    config, sep2, ckpt = rest.partition(':')
    if not sep or not sep2 or not name or not config or not ckpt:
        raise ValueError(f'--model expects NAME=CONFIG:CHECKPOINT, got {spec!r}')
    return ModelSpec(name, Path(config), Path(ckpt))
