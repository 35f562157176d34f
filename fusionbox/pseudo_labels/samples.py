"""Listing the samples to label, through the datasets package (named layouts or folders)."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import List, Mapping


def list_samples(
    task: str | None = None,
    sources: Mapping[str, str] | None = None,
    layout: str | None = None,
    data_root: str | None = None,
    gt: str | None = None,
    dataset: Mapping | None = None,
) -> List[dict]:
    """The ``data_list`` of the samples, from one of:

    * ``sources``: ``{name: folder}`` in model order (the sources of a sample share a stem);
    * ``layout`` + ``data_root``: a named layout of :mod:`fusionbox.datasets.layouts`;
    * ``dataset``: a full ``MultiSourceFusionDataset`` config.
    """
    with _quiet_mmengine():
        ds = _dataset(task, sources, layout, data_root, gt, dataset)
    return [ds.get_data_info(i) for i in range(len(ds))]


@contextmanager
def _quiet_mmengine():
    """Silence MMEngine's 'is not a meta file' warnings about the dataset's string metainfo."""
    from mmengine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _dataset(task, sources, layout, data_root, gt, dataset):
    from fusionbox.datasets.multi_source_dataset import MultiSourceFusionDataset

    if dataset is not None:
        cfg = dict(dataset)
        cfg.pop('type', None)
        ds = MultiSourceFusionDataset(**cfg)
    elif sources:
        folders = [str(Path(d).expanduser().resolve()) for d in sources.values()]
        for name, folder in zip(sources, folders):
            if not Path(folder).is_dir():
                raise FileNotFoundError(f'source {name!r} folder {folder} does not exist')
        root = os.path.commonpath(folders)
        ds = MultiSourceFusionDataset(
            data_root=root, task=task, sources=folders, source_names=list(sources), gt=gt
        )
    elif layout is not None:
        if data_root is None:
            raise ValueError(f'layout {layout!r} needs a data root')
        ds = MultiSourceFusionDataset(data_root=data_root, layout=layout, task=task, gt=gt)
    else:
        raise ValueError('give the sources (NAME=DIR), a layout with a data root, or a dataset')
    return ds
