"""Fusing one's own images: :class:`FusionInferencer`, :func:`init_fuser`, :func:`fuse`.

:func:`build_fuser` is the one path from a config (and weights) to an eval-mode model; the
inferencer, the leaderboard, the ``FuserCheckpoint`` prior, the benchmarks and the demo use it.

Example::

    from fusionbox.apis import init_fuser, fuse

    fuser = init_fuser('configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py', 'iter_1200.pth')
    fused = fuse(fuser, ['ir.png', 'vi.png'], task='ivf')  # (H, W, 3) RGB in [0, 1]
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from pathlib import Path
from typing import List, Sequence

import numpy as np
import torch

from fusionbox.utils.errors import ResourceLimitError
from fusionbox.utils.image_io import MAX_IMAGE_PIXELS, as_image, image_info

from .tiling import fuse_tiled

#: Largest untiled image (pixels) fused unless the caller raises the bound: 2048 x 2048.
DEFAULT_MAX_PIXELS = 2048 * 2048
#: Smallest tile side.
MIN_TILE = 32
#: Most sampling steps a call may ask for.
MAX_STEPS = 1000
#: The test pipeline used when a config names none.
DEFAULT_TEST_PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


def load_fuser_config(config):
    """An MMEngine config from a path (FileNotFoundError naming it) or a Config (returned)."""
    from mmengine.config import Config

    if isinstance(config, Config):
        return config
    if not Path(config).is_file():
        raise FileNotFoundError(f'config file {config} does not exist')
    return Config.fromfile(str(config))


def build_fuser(config, weights=None, device: str = 'cpu') -> torch.nn.Module:
    """Build the fuser of ``config`` (path or Config), load ``weights`` (``.safetensors`` or a
    ``.pth`` checkpoint, safely; None keeps the initial weights) and return it in eval mode."""
    from fusionbox.registry import MODELS
    from fusionbox.utils import register_all_modules
    from fusionbox.utils.checkpoint import load_model_weights

    register_all_modules()
    cfg = load_fuser_config(config)
    model = MODELS.build(cfg.model)
    if weights is not None:
        load_model_weights(model, weights)
    return model.to(device).eval()


def _test_pipeline(cfg) -> list:
    pipeline = cfg.get('test_pipeline')
    dataset = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    while pipeline is None and dataset:
        pipeline = dataset.get('pipeline')
        inner = dataset.get('datasets') or [dataset.get('dataset')]
        dataset = inner[0] or {}
    return copy.deepcopy(list(pipeline or DEFAULT_TEST_PIPELINE))


def _is_source(item) -> bool:
    return isinstance(item, str | Path | np.ndarray)


class FusionInferencer:
    """A fuser built once and run on any number of samples.

    Args:
        model: a config path, or a zoo name (``fusionbox models``); None: the zoo's default.
            Defaults to None.
        checkpoint: weights for a config (``.safetensors`` or ``.pth``), or replacing a zoo
            entry's; None with a config keeps the initial weights. Defaults to None.
        device: torch device. Defaults to 'cpu'.
        tile: fuse images larger than ``tile x tile`` in overlapping tiles of that size,
            blended without seams; None: whole images. Defaults to None.
        tile_overlap: pixels shared by neighbouring tiles. Defaults to ``tile // 4``.
        max_pixels: refuse, before any work, an untiled image with more pixels (tiling lifts
            the bound; a tile must stay within it). Defaults to :data:`DEFAULT_MAX_PIXELS`.
    """

    def __init__(
        self,
        model: str | None = None,
        checkpoint: str | None = None,
        device: str = 'cpu',
        tile: int | None = None,
        tile_overlap: int | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        from fusionbox.datasets.transforms import LoadMultiSourceImages
        from fusionbox.registry import TRANSFORMS

        from . import zoo

        if max_pixels < 1:
            raise ValueError(f'max_pixels must be positive, got {max_pixels}')
        if tile is not None:
            if tile < MIN_TILE:
                raise ValueError(f'tile must be at least {MIN_TILE} pixels, got {tile}')
            if tile * tile > max_pixels:
                raise ResourceLimitError(
                    f'tile {tile} x {tile} = {tile * tile} pixels exceeds max_pixels={max_pixels}'
                )
        self.tile, self.max_pixels = tile, max_pixels
        self.tile_overlap = tile // 4 if tile and tile_overlap is None else tile_overlap
        if tile and not 0 <= self.tile_overlap < tile:
            raise ValueError(f'tile_overlap must be in [0, {tile}), got {tile_overlap}')
        self.entry = None
        if model is None or not (str(model).endswith('.py') or Path(model).is_file()):
            self.entry = zoo.default_entry() if model is None else zoo.get_entry(model)
            zoo.verify_entry(self.entry)
            config, checkpoint = self.entry.config, checkpoint or self.entry.weights
        else:
            config = model
        self.cfg = load_fuser_config(config)
        self.name = self.entry.name if self.entry else Path(config).stem
        self.model = build_fuser(self.cfg, checkpoint, device)
        self.device = device
        transforms = [TRANSFORMS.build(t) for t in _test_pipeline(self.cfg)]
        self.loader = transforms[0] if isinstance(transforms[0], LoadMultiSourceImages) else None
        self.transforms = transforms[1:] if self.loader is not None else transforms

    # --- public API ---------------------------------------------------------------------------
    def __call__(
        self,
        sources: Sequence,
        task: str,
        prompt: str | None = None,
        steps: int | None = None,
        batch_size: int = 1,
    ) -> List[np.ndarray]:
        """Fuse one sample (a list of N >= 2 paths or arrays) or a list of samples.

        Every sample is checked (sizes from the file headers, the pixel bound) before any is
        fused. Colour is carried through YCbCr: a sample with a colour source gives RGB.

        Args:
            sources: the sample(s); arrays are (H, W[, C]) uint8, uint16 or float in [0, 1].
            task: one of :data:`fusionbox.structures.TASKS`.
            prompt: restoration prompt, for models with a text encoder. Defaults to None.
            steps: sampling steps of a flow-matching model, for this call only. Defaults to None.
            batch_size: samples (or tiles) per forward pass. Defaults to 1.

        Returns:
            One float32 image in [0, 1] per sample: (H, W) grey or (H, W, 3) RGB.
        """
        if not self.supports(task):
            raise ValueError(f'zoo model {self.name!r} fuses {self.entry.tasks}, not {task!r}')
        if prompt and self.model.text_encoder is None:
            raise ValueError(f'model {self.name!r} has no text encoder: it takes no prompt')
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        if not isinstance(sources, list | tuple) or not sources:
            raise ValueError('sources: give a list of N paths or arrays, or a list of such lists')
        samples = [sources] if all(_is_source(s) for s in sources) else sources
        prepared = [self._prepare(sample) for sample in samples]  # checks all before any work
        fused = []
        with self._num_steps(steps), torch.no_grad():
            for i in range(0, len(prepared), batch_size):  # one batch in memory at a time
                results = [self._load(p, task, prompt or '') for p in prepared[i : i + batch_size]]
                lumas = self._fuse_all(results, batch_size)
                fused += [self._recompose(luma, r) for luma, r in zip(lumas, results)]
        return fused

    def supports(self, task: str) -> bool:
        """Whether the model fuses ``task``: a task its weights were trained on (their recorded
        task table, e.g. not a plugin's task for weights trained without it) and, for a zoo
        entry, one it lists. ValueError for a task that does not exist."""
        from fusionbox.structures import task_index

        task_index(task)  # ValueError naming the task and the known ones
        if task not in self.model.trained_tasks:
            return False
        return self.entry is None or not self.entry.tasks or task in self.entry.tasks

    # --- steps --------------------------------------------------------------------------------
    @contextmanager
    def _num_steps(self, steps: int | None):
        """Set the flow objective's ``num_steps`` to ``steps`` inside the block."""
        from fusionbox.models.objectives import FlowMatching

        objective = self.model.objective
        if steps is None:
            yield
            return
        if not isinstance(objective, FlowMatching):
            raise ValueError(
                f'steps={steps}: model {self.name!r} is a one-pass {type(objective).__name__} '
                'model; steps apply to flow-matching models'
            )
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f'steps must be an integer in [1, {MAX_STEPS}], got {steps!r}')
        old = objective.num_steps
        objective.num_steps = steps
        try:
            yield
        finally:
            objective.num_steps = old

    # --- samples ------------------------------------------------------------------------------
    def _prepare(self, sample) -> dict:
        """Validate one sample without decoding it: count, sizes, pixel bound."""
        if not isinstance(sample, list | tuple) or not all(_is_source(s) for s in sample):
            raise ValueError('a sample is a list of source paths or arrays')
        if len(sample) < 2:
            raise ValueError(f'a sample needs at least 2 sources, got {len(sample)}')
        paths = all(isinstance(s, str | Path) for s in sample)
        if paths:
            names = [str(s) for s in sample]
            sizes = [image_info(p, max_pixels=None)[:2] for p in names]  # headers only
            arrays = None
        elif any(isinstance(s, str | Path) for s in sample):
            raise ValueError('a sample mixes paths and arrays; give one kind')
        else:
            names = [f'source {i}' for i in range(len(sample))]
            arrays = [as_image(a, n) for a, n in zip(sample, names)]
            sizes = [a.shape[:2] for a in arrays]
        for name, size in zip(names, sizes):
            if size != sizes[0]:
                raise ValueError(
                    f'{name} is {size[1]}x{size[0]} but {names[0]} is {sizes[0][1]}x'
                    f'{sizes[0][0]}; sources must be registered (same size)'
                )
        h, w = sizes[0]
        if not self.tile and h * w > self.max_pixels:
            raise ResourceLimitError(
                f'{names[0]}: {w}x{h} = {h * w} pixels exceeds max_pixels={self.max_pixels}; '
                'fuse it in tiles (tile=PIXELS, --tile) or raise the bound (--max-pixels)'
            )
        if paths and h * w > MAX_IMAGE_PIXELS:
            raise ResourceLimitError(
                f'{names[0]}: {w}x{h} = {h * w} pixels is above the decoding limit of '
                f'{MAX_IMAGE_PIXELS} pixels (fusionbox.utils.image_io.MAX_IMAGE_PIXELS)'
            )
        return dict(paths=names if paths else None, arrays=arrays, names=names)

    def _load(self, prepared: dict, task: str, prompt: str) -> dict:
        """Run the test pipeline: sources -> luma inputs (N, 1, H, W) and the fused chroma."""
        results = dict(
            source_names=[f'source{i}' for i in range(len(prepared['names']))],
            source_paths=prepared['paths'] or [],
            task=task,
            prompt=prompt,
            stem=Path(prepared['names'][0]).stem,
            sample_idx=0,
        )
        if prepared['arrays'] is None:
            if self.loader is None:
                raise ValueError(f'the test pipeline of {self.name!r} has no image loader')
            results = self.loader(results)
        else:
            results['sources'] = prepared['arrays']
            results['ori_shape'] = results['img_shape'] = prepared['arrays'][0].shape[:2]
        for transform in self.transforms:
            results = transform(results)
        return results

    def _run(self, batch: torch.Tensor, metas: Sequence[dict]) -> torch.Tensor:
        """Fuse (B, N, C, h, w) -> luma (B, 1, h, w) with the model's test step."""
        from fusionbox.structures import FusionSample

        samples = [FusionSample(metainfo=dict(m)) for m in metas]
        out = self.model.test_step(dict(inputs=list(batch), data_samples=samples))
        return torch.stack([o.pred for o in out]).cpu()

    def _fuse_all(self, results: list, batch_size: int) -> list:
        metas = [
            dict(
                task=r['data_samples'].task,
                prompt=r['data_samples'].prompt,
                stem=r['data_samples'].stem,
                is_color=False,
            )
            for r in results
        ]
        outputs: list = [None] * len(results)
        if self.tile:
            for i, (r, meta) in enumerate(zip(results, metas)):
                run = lambda b, m=meta: self._run(b, [m] * len(b))  # noqa: E731
                fused = fuse_tiled(run, r['inputs'], self.tile, self.tile_overlap, batch_size)
                outputs[i] = fused[0].numpy()
            return outputs
        i = 0
        while i < len(results):  # batch consecutive samples of one shape
            j = i + 1
            shape = results[i]['inputs'].shape
            while j < len(results) and j - i < batch_size and results[j]['inputs'].shape == shape:
                j += 1
            batch = torch.stack([r['inputs'] for r in results[i:j]])  # (B, N, 1, H, W)
            for k, fused in enumerate(self._run(batch, metas[i:j])):
                outputs[i + k] = fused[0].numpy()  # (H, W)
            i = j
        return outputs

    @staticmethod
    def _recompose(luma: np.ndarray, results: dict) -> np.ndarray:
        from fusionbox.utils.color import ycbcr_to_rgb

        luma = np.clip(luma, 0.0, 1.0).astype(np.float32)  # (H, W)
        chroma = results['data_samples'].get('chroma')
        if chroma is None:
            return luma
        ycc = np.concatenate([luma[..., None], chroma.numpy().transpose(1, 2, 0)], axis=2)
        return ycbcr_to_rgb(ycc).astype(np.float32)  # (H, W, 3)

    def __repr__(self) -> str:
        return f'FusionInferencer({self.name!r}, device={self.device!r}, tile={self.tile})'


def init_fuser(model: str | None, checkpoint: str | None = None, device: str = 'cpu'):
    """Build a :class:`FusionInferencer` (see its arguments)."""
    return FusionInferencer(model, checkpoint, device)


def fuse(fuser: FusionInferencer, sources: Sequence, task: str, prompt=None, steps=None):
    """Fuse one sample (N paths or arrays) with ``fuser``: float32 (H, W) or (H, W, 3)."""
    if not isinstance(sources, list | tuple) or not all(_is_source(s) for s in sources):
        raise ValueError('fuse() takes one sample: a list of source paths or arrays')
    return fuser(sources, task, prompt=prompt, steps=steps)[0]
