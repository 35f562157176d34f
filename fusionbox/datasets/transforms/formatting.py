"""Packing a sample for the model: a source tensor and a :class:`FusionSample`."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from fusionbox.registry import TRANSFORMS
from fusionbox.structures import FusionSample


def _chw(image: np.ndarray) -> torch.Tensor:
    """(H, W[, C]) array -> (C, H, W) tensor (float32, or uint8 for masks)."""
    if image.ndim == 2:
        image = image[..., None]
    tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
    return tensor if tensor.dtype == torch.uint8 else tensor.float()


@TRANSFORMS.register_module()
class PackFusionInputs(BaseTransform):
    """Pack ``{'inputs': Tensor (N, C, H, W) float32, 'data_samples': FusionSample}``.

    After :class:`SourcesToYCbCr` C = 1 (luma), as the models expect. The sample carries the
    metainfo ``task, stem, source_names, source_paths, ori_shape, prompt, is_color`` (plus
    ``meta_keys`` found in ``results``) and the data fields ``gt`` (C, H, W), ``pseudo_label``
    (C, H, W), ``chroma`` (2, H, W) float32 and ``mask`` (1, H, W) uint8, when present.

    Args:
        meta_keys: extra metainfo keys copied when present. Defaults to
            ('dataset', 'sample_idx', 'img_shape', 'crop_bbox', 'flip', 'flip_direction').
    """

    BASE_META = ('task', 'stem', 'source_names', 'source_paths', 'ori_shape', 'prompt', 'is_color')
    DATA_FIELDS = ('gt', 'pseudo_label', 'chroma', 'mask')

    def __init__(
        self,
        meta_keys: Sequence[str] = (
            'dataset',
            'sample_idx',
            'img_shape',
            'crop_bbox',
            'flip',
            'flip_direction',
        ),
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        sources = results['sources']
        channels = {s.shape[2] for s in sources}
        if len(channels) > 1:
            raise ValueError(
                f'sources of sample {results.get("stem", "?")!r} have different '
                f'channel counts {sorted(channels)}; add SourcesToYCbCr first'
            )
        inputs = torch.stack([_chw(s) for s in sources])  # (N, C, H, W)
        h, w = inputs.shape[-2:]
        meta = dict(
            task=results['task'],
            stem=results.get('stem', ''),
            source_names=tuple(results.get('source_names', ())),
            source_paths=tuple(results.get('source_paths', ())),
            ori_shape=tuple(results.get('ori_shape', (h, w))),
            prompt=results.get('prompt', '') or '',
            is_color=bool(results.get('is_color', False)),
        )
        meta.update({k: results[k] for k in self.meta_keys if k in results})
        sample = FusionSample(metainfo=meta)
        for key in self.DATA_FIELDS:
            if results.get(key) is not None:
                sample.set_field(_chw(results[key]), key)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
