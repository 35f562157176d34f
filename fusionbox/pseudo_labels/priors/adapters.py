"""Adapters that turn other methods into priors: a folder of results, a FusionBox checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import numpy as np

from fusionbox.registry import PRIORS
from fusionbox.utils.image_io import list_images, match_stem, read_image

from ..ops import split_luma, to_luma
from .base import BasePrior


class MissingResult(LookupError):
    """A results folder has no image for a sample (the pipeline may skip the candidate)."""


@PRIORS.register_module()
class ResultsFolder(BasePrior):
    """Fused results of any external method, read from a folder and matched by file stem.

    A sample ``<stem>`` matches ``<root>/<stem>.<ext>``; failing that, the one file whose stem
    starts with ``<stem>_`` (VIFB writes ``carLight_ADF.jpg``). A colour result gives its luma.

    Paper: none (adapter); cite the method whose results the folder holds.

    Args:
        root: the folder of fused images.
        name: the candidate name in provenance records. Defaults to the folder name.
        missing: 'error' raises when a sample has no result, 'skip' drops the candidate for that
            sample. Defaults to 'error'.
    """

    def __init__(self, root, name: str | None = None, missing: str = 'error') -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f'results folder {self.root} does not exist')
        if missing not in ('error', 'skip'):
            raise ValueError(f"missing must be 'error' or 'skip', got {missing!r}")
        self._name = name or self.root.name
        self.missing = missing
        self._files: Dict[str, Path] | None = None

    @property
    def name(self) -> str:
        return self._name

    def files(self) -> Dict[str, Path]:
        if self._files is None:
            self._files = list_images(self.root, 'results')
        return self._files

    def find(self, stem: str) -> Path:
        files = self.files()
        if stem in files:
            return files[stem]
        hits = [p for s, p in files.items() if match_stem(s, (stem,)) == stem]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise ValueError(
                f'results folder {self.root} holds several results for {stem!r}: '
                f'{", ".join(p.name for p in hits)}'
            )
        raise MissingResult(f'results folder {self.root} has no result for sample {stem!r}')

    def __call__(self, sources, sample=None):
        if not sample or 'stem' not in sample:
            raise ValueError('ResultsFolder needs the sample (its stem) to find the result')
        path = self.find(sample['stem'])
        luma = to_luma(read_image(path))
        shape = np.asarray(sources[0]).shape[:2]
        if luma.shape != shape:
            raise ValueError(
                f'result {path} is {luma.shape[1]}x{luma.shape[0]} but the sources '
                f'of {sample["stem"]!r} are {shape[1]}x{shape[0]}'
            )
        return np.clip(luma, 0, 1).astype(np.float32)

    def __repr__(self) -> str:
        return f'ResultsFolder({str(self.root)!r}, name={self.name!r})'


@PRIORS.register_module()
class FuserCheckpoint(BasePrior):
    """A trained FusionBox model (config + checkpoint) used as a prior.

    The model is built on first use by :class:`fusionbox.apis.FusionInferencer` (the checkpoint
    loaded safely, on the CPU or ``device``) and every sample is fused on its source lumas; the
    result is the fused luma.

    Paper: the method the checkpoint was trained with (e.g. FusionFM, Zhu et al. 2025).

    Args:
        config: path to an MMEngine config holding ``model``.
        checkpoint: path to the checkpoint (``.pth`` or ``.safetensors``); None keeps the
            initial weights (for tests). Defaults to None.
        name: candidate name. Defaults to the config's file stem.
        device: torch device. Defaults to 'cpu'.
    """

    def __init__(
        self, config, checkpoint=None, name: str | None = None, device: str = 'cpu'
    ) -> None:
        self.config, self.checkpoint, self.device = str(config), checkpoint, device
        if not Path(self.config).is_file():
            raise FileNotFoundError(f'fuser config {self.config} does not exist')
        if checkpoint is not None and not Path(checkpoint).is_file():
            raise FileNotFoundError(f'fuser checkpoint {checkpoint} does not exist')
        self._name = name or Path(self.config).stem
        self._fuser = None

    @property
    def name(self) -> str:
        return self._name

    def fuser(self):
        """The :class:`~fusionbox.apis.FusionInferencer`, built on first use."""
        if self._fuser is None:
            from fusionbox.apis.inferencer import FusionInferencer

            ckpt = None if self.checkpoint is None else str(self.checkpoint)
            self._fuser = FusionInferencer(self.config, ckpt, device=self.device)
        return self._fuser

    def __call__(self, sources, sample=None):
        sample = sample or {}
        lumas, _ = split_luma(sources)  # (N, H, W)
        (fused,) = self.fuser()(list(lumas), sample.get('task', 'ivf'), sample.get('prompt'))
        return np.clip(fused, 0, 1).astype(np.float32)  # (H, W): grey sources give grey

    def __repr__(self) -> str:
        return f'FuserCheckpoint({self.config!r}, {self.checkpoint!r})'
