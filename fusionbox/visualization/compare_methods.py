"""The columns of a comparison figure (``fusionbox compare``): what each method gives a sample.

A method is called with one :class:`Sample` (its stem, task, source paths, the sources read in
colour) and returns the image to show, in colour when a source is colour, or None when it has no
result for the sample:

* :class:`ModelMethod`: a zoo model or a config + checkpoint, through
  :class:`~fusionbox.apis.FusionInferencer` (colour carried through YCbCr);
* :class:`PriorMethod`: a registered fusion prior (``Average``, ``GFF``, ...) fusing the lumas,
  recomposed with the fused chroma of the colour sources, as the pseudo-label pipeline does;
* :class:`FolderMethod`: a folder of another method's results, matched by stem as
  :class:`~fusionbox.pseudo_labels.priors.ResultsFolder` matches them, shown as stored.

:func:`comparison_rows` turns samples and methods into :class:`~.comparison.GridRow` rows:
the sources, the ground truth where a folder of it is given, then the methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Sequence

import numpy as np

from .comparison import GridRow


@dataclass
class Sample:
    """One registered sample: ``paths`` and ``roles`` in model order; ``images`` as read
    (float (H, W, C), C = 1 or 3), filled by :func:`comparison_rows`."""

    stem: str
    task: str
    roles: List[str]
    paths: List[Path]
    images: List[np.ndarray] = field(default_factory=list)


class ModelMethod:
    """A FusionBox model: a zoo name, or a config with a checkpoint.

    Args:
        model: zoo name or config path (None: the zoo's default).
        checkpoint: weights for a config. Defaults to None.
        steps: sampling steps of a flow model. Defaults to None.
        name: the column title. Defaults to the zoo name or the config's stem.
    """

    def __init__(self, model, checkpoint=None, steps=None, name: str | None = None) -> None:
        from fusionbox.apis.inferencer import FusionInferencer

        self.fuser = FusionInferencer(model, checkpoint)
        self.steps = steps
        self.name = name or self.fuser.name

    def __call__(self, sample: Sample) -> np.ndarray:
        if not self.fuser.supports(sample.task):
            raise ValueError(
                f'zoo model {self.name!r} fuses {self.fuser.entry.tasks}, not {sample.task!r}'
            )
        return self.fuser([str(p) for p in sample.paths], sample.task, steps=self.steps)[0]


class PriorMethod:
    """A registered fusion prior by name (the ``priors`` of ``fusionbox list``), in colour.

    Args:
        prior: the registered name, e.g. ``'Average'``.
        name: the column title. Defaults to ``prior``.
    """

    def __init__(self, prior: str, name: str | None = None) -> None:
        from fusionbox.registry import PRIORS

        if prior in ('ResultsFolder', 'FuserCheckpoint'):
            raise ValueError(
                f'prior {prior!r} takes arguments: use --results NAME=DIR or --config/--model'
            )
        self.prior = PRIORS.build(dict(type=prior))  # KeyError naming an unknown prior
        self.name = name or prior

    def __call__(self, sample: Sample) -> np.ndarray:
        from fusionbox.pseudo_labels.ops import recompose, split_luma

        sources = sample.images
        _, chroma = split_luma(sources)  # (H, W, 2) of the colour sources, or None
        info = dict(stem=sample.stem, task=sample.task, source_paths=[str(p) for p in sample.paths])
        return recompose(self.prior(sources, info), chroma)  # (H, W) or (H, W, 3)


class FolderMethod:
    """Fused images of another method in a folder, matched by stem (None when missing).

    Args:
        name: the column title.
        folder: the folder.
    """

    def __init__(self, name: str, folder) -> None:
        from fusionbox.pseudo_labels.priors import ResultsFolder

        self.name = name
        self.results = ResultsFolder(folder, name=name)  # FileNotFoundError naming the folder

    def __call__(self, sample: Sample) -> np.ndarray | None:
        from fusionbox.pseudo_labels.priors import MissingResult
        from fusionbox.utils.image_io import read_image

        try:
            path = self.results.find(sample.stem)
        except MissingResult:
            return None
        image = read_image(path)
        if image.shape[:2] != sample.images[0].shape[:2]:
            h, w = sample.images[0].shape[:2]
            raise ValueError(
                f'result {path} is {image.shape[1]}x{image.shape[0]} but the sources of '
                f'{sample.stem!r} are {w}x{h}'
            )
        return image


def comparison_rows(
    samples: Sequence[Sample],
    methods: Sequence,
    gt_folder=None,
    log: Callable[[str], None] = print,
) -> List[GridRow]:
    """One :class:`GridRow` per sample: its sources (titled by role), the ground truth (from
    ``gt_folder``, matched by stem) and each method's result (titled by its name)."""
    from fusionbox.utils.image_io import read_image

    gt = FolderMethod('ground truth', gt_folder) if gt_folder else None
    rows = []
    for sample in samples:
        sample.images = [read_image(p) for p in sample.paths]  # colour kept
        cells = list(zip(sample.roles, sample.images))
        columns = ([gt] if gt else []) + list(methods)
        for method in columns:
            image = method(sample)
            if image is None:
                log(f'{sample.stem}: {method.name} has no result; its cell is left empty')
            cells.append((method.name, image))
        rows.append(GridRow(f'{sample.task}/{sample.stem}', cells, zoom_on=len(sample.paths)))
    return rows
