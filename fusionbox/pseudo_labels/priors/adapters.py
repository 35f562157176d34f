"""Adapters that turn other methods into priors: a folder of results, a FusionBox checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import numpy as np

from fusionbox.registry import PRIORS

from ..image_io import read_image
from ..ops import split_luma, to_luma
from .base import BasePrior

#: Extensions a results folder may hold.
RESULT_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')


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
            self._files = {
                p.stem: p
                for p in sorted(self.root.iterdir())
                if p.suffix.lower() in RESULT_EXTENSIONS and not p.name.startswith('.')
            }
        return self._files

    def find(self, stem: str) -> Path:
        files = self.files()
        if stem in files:
            return files[stem]
        hits = [p for s, p in files.items() if s.startswith(f'{stem}_')]
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

    The model is built from ``config`` with MMEngine (registry MODELS), the checkpoint loaded on
    the CPU (or ``device``) on first use, and every sample fused with ``model.test_step`` on its
    source lumas ``(N, 1, H, W)``; the fused luma is the data sample's ``pred``.

    Paper: the method the checkpoint was trained with (e.g. FusionFM, Zhu et al. 2025).

    Args:
        config: path to an MMEngine config holding ``model``.
        checkpoint: path to the checkpoint; None keeps the initial weights (for tests).
            Defaults to None.
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
        self._model = None

    @property
    def name(self) -> str:
        return self._name

    def model(self):
        if self._model is None:
            from mmengine.config import Config
            from mmengine.runner import load_checkpoint

            import fusionbox.models  # noqa: F401  (registers the models)
            from fusionbox.registry import MODELS

            cfg = Config.fromfile(self.config)
            model = MODELS.build(cfg.model)
            if self.checkpoint is not None:
                load_checkpoint(model, str(self.checkpoint), map_location=self.device)
            self._model = model.to(self.device).eval()
        return self._model

    def __call__(self, sources, sample=None):
        import torch

        from fusionbox.structures import FusionSample

        sample = sample or {}
        lumas, _ = split_luma(sources)  # (N, H, W)
        h, w = lumas.shape[1:]
        inputs = torch.from_numpy(lumas[:, None].copy())  # (N, 1, H, W)
        data_sample = FusionSample(
            metainfo=dict(
                task=sample.get('task', 'ivf'),
                stem=sample.get('stem', ''),
                source_names=tuple(sample.get('source_names', ())),
                ori_shape=(h, w),
                source_paths=tuple(sample.get('source_paths', ())),
                prompt=sample.get('prompt', ''),
                is_color=False,
            )
        )
        with torch.no_grad():
            out = self.model().test_step(dict(inputs=[inputs], data_samples=[data_sample]))
        pred = out[0].pred.detach().float().cpu().numpy().reshape(-1, h, w)[0]
        return np.clip(pred, 0, 1).astype(np.float32)

    def __repr__(self) -> str:
        return f'FuserCheckpoint({self.config!r}, {self.checkpoint!r})'
