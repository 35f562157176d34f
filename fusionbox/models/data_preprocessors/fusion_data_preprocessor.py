"""Batching of multi-source fusion samples: stack, pad, move to the device, collect the task ids."""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor

from fusionbox.registry import MODELS
from fusionbox.structures import task_index

#: Data fields of a :class:`~fusionbox.structures.FusionSample` that can serve as training targets.
TARGET_KEYS = ('gt', 'pseudo_label')


@MODELS.register_module()
class FusionDataPreprocessor(BaseDataPreprocessor):
    """Turn a collated list of fusion samples into one batch the fuser can run on.

    Input (what ``pseudo_collate`` gives): ``{'inputs': list of B tensors (N, C, H, W),
    'data_samples': list of B FusionSample}``; a tensor (B, N, C, H, W) is accepted as well.
    Every sample of a batch must have the same number of sources N and the same size (H, W).

    Output: ``{'inputs': batch, 'data_samples': data samples on the device}`` where ``batch`` is a
    dict with

    * ``sources``: (B, N, C, Hp, Wp) float, H and W padded at the bottom and right to a multiple of
      ``size_divisor``;
    * ``task``: (B,) long task ids (:func:`fusionbox.structures.task_index` of metainfo ``task``);
    * ``img_shape``: (H, W), the unpadded size that predictions are cropped back to;
    * for each key of :data:`TARGET_KEYS`: ``<key>`` (B, C, Hp, Wp) padded like the sources, zeros
      for the samples without it, and ``<key>_valid`` (B,) bool; both None when no sample has it.

    Each data sample also gets metainfo ``img_shape`` (H, W) and ``pad_shape`` (Hp, Wp).

    Args:
        size_divisor (int): H and W are padded up to a multiple of it (use the backbone's
            ``size_divisor``). Defaults to 1 (no padding).
        pad_mode (str): ``torch.nn.functional.pad`` mode; ``'reflect'`` falls back to
            ``'replicate'`` when an image is too small to reflect. Defaults to 'reflect'.
        non_blocking (bool): Passed to :meth:`BaseDataPreprocessor.cast_data`. Defaults to False.
    """

    def __init__(
        self, size_divisor: int = 1, pad_mode: str = 'reflect', non_blocking: bool = False
    ) -> None:
        super().__init__(non_blocking=non_blocking)
        if size_divisor < 1:
            raise ValueError(f'size_divisor must be >= 1, got {size_divisor}')
        if pad_mode not in ('reflect', 'replicate', 'constant', 'circular'):
            raise ValueError(f'unknown pad_mode {pad_mode!r}')
        self.size_divisor = size_divisor
        self.pad_mode = pad_mode

    def forward(self, data: dict, training: bool = False) -> dict[str, Any]:
        data = self.cast_data(data)
        sources = self._stack_sources(data['inputs'])  # (B, N, C, H, W)
        samples = data.get('data_samples')
        if not samples:
            raise ValueError('FusionDataPreprocessor needs data_samples with metainfo "task"')
        if len(samples) != sources.shape[0]:
            raise ValueError(f'{sources.shape[0]} inputs but {len(samples)} data samples')
        h, w = sources.shape[-2:]
        pad_h = -h % self.size_divisor
        pad_w = -w % self.size_divisor
        padded = self._pad(sources.flatten(0, 1), pad_h, pad_w)  # (B*N, C, Hp, Wp)
        batch: dict[str, Any] = {
            'sources': padded.unflatten(0, sources.shape[:2]),  # (B, N, C, Hp, Wp)
            'task': torch.tensor(
                [task_index(s.metainfo['task']) for s in samples], device=sources.device
            ),
            'img_shape': (h, w),
        }
        for key in TARGET_KEYS:
            target, valid = self._stack_target(samples, key, sources.shape[2:])
            batch[key] = None if target is None else self._pad(target, pad_h, pad_w)
            batch[f'{key}_valid'] = valid
        for sample in samples:
            sample.set_metainfo({'img_shape': (h, w), 'pad_shape': (h + pad_h, w + pad_w)})
        return {'inputs': batch, 'data_samples': samples}

    @staticmethod
    def _stack_sources(inputs: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
        if isinstance(inputs, torch.Tensor):
            if inputs.dim() != 5:
                raise ValueError(f'expected inputs (B, N, C, H, W), got {tuple(inputs.shape)}')
            return inputs.float()
        shapes = {tuple(x.shape) for x in inputs}
        if len(shapes) != 1 or len(next(iter(shapes))) != 4:
            raise ValueError(
                'every sample of a batch needs the same number of sources and the same size '
                f'(N, C, H, W); got {sorted(shapes)}. Crop or resize in the pipeline, or use '
                'batch_size=1 for variable sizes.'
            )
        return torch.stack(list(inputs)).float()  # (B, N, C, H, W)

    @staticmethod
    def _stack_target(
        samples: Sequence, key: str, chw: torch.Size
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        present = [key in s for s in samples]
        if not any(present):
            return None, None
        stacked = []
        for sample, has in zip(samples, present):
            if not has:
                stacked.append(None)
                continue
            value = sample.get(key).float()
            if tuple(value.shape) != tuple(chw):
                raise ValueError(
                    f'{key} of sample {sample.metainfo.get("stem", "?")!r} has shape '
                    f'{tuple(value.shape)}, expected (C, H, W) = {tuple(chw)} like its sources'
                )
            stacked.append(value)
        ref = next(v for v in stacked if v is not None)
        stacked = [torch.zeros_like(ref) if v is None else v for v in stacked]
        valid = torch.tensor(present, dtype=torch.bool, device=ref.device)
        return torch.stack(stacked), valid  # (B, C, H, W), (B,)

    def _pad(self, x: torch.Tensor, pad_h: int, pad_w: int) -> torch.Tensor:
        """Pad (B, C, H, W) at the bottom and right."""
        if pad_h == 0 and pad_w == 0:
            return x
        mode = self.pad_mode
        if mode == 'reflect' and (pad_h >= x.shape[-2] or pad_w >= x.shape[-1]):
            mode = 'replicate'
        return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)
