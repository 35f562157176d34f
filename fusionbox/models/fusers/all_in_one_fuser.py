"""The all-in-one fuser: one model, conditioned on the task, for every fusion task."""

from __future__ import annotations

from typing import Any, Sequence

import torch
from mmengine.model import BaseModel

from fusionbox.registry import BACKBONES, MODELS, OBJECTIVES
from fusionbox.structures import FusionSample
from fusionbox.utils.color import ycbcr_to_rgb

from ..builder import build_component

#: The objective used unless ``objective`` is given.
DEFAULT_OBJECTIVE = dict(type='Regression')


@MODELS.register_module()
class AllInOneFuser(BaseModel):
    """Data preprocessor + backbone + objective, conditioned on the task of each sample.

    ``forward(inputs, data_samples, mode)`` takes the batch made by
    :class:`~fusionbox.models.data_preprocessors.FusionDataPreprocessor` (``inputs['sources']``
    (B, N, C, Hp, Wp), ``inputs['task']`` (B,), targets, ``inputs['img_shape']``) and, by
    ``mode``:

    * ``'loss'``: the objective's loss dict; the supervised target is ``inputs[target_key]`` where
      ``target_key`` is the objective's (``'gt'`` or ``'pseudo_label'``);
    * ``'predict'``: the data samples with ``pred`` (C, H, W) in [0, 1] cropped to the unpadded
      size, ``sources`` (N, C, H, W), ``pred_color`` (3, H, W) RGB when the sample has ``chroma``
      (2, H, W), and metainfo ``nfe`` (backbone evaluations per image);
    * ``'tensor'``: the raw fused tensor (B, C, H, W), cropped, not clamped.

    Args:
        backbone (dict): ``BACKBONES`` config, e.g. ``dict(type='UNet', arch='unet-s')``.
        objective (dict): ``OBJECTIVES`` config. Defaults to :data:`DEFAULT_OBJECTIVE`.
        data_preprocessor (dict | None): ``MODELS`` config of the preprocessor; None gives
            ``FusionDataPreprocessor(size_divisor=backbone.size_divisor)``. Its ``size_divisor``
            must be a multiple of the backbone's. Defaults to None.
        init_cfg (dict | None): MMEngine initialisation config. Defaults to None.

    Raises:
        KeyError: a sub-config names an unknown ``type``; the message names the sub-config.
    """

    def __init__(
        self,
        backbone: dict,
        objective: dict = DEFAULT_OBJECTIVE,
        data_preprocessor: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        backbone = build_component(BACKBONES, backbone, 'backbone')
        divisor = getattr(backbone, 'size_divisor', 1)
        if data_preprocessor is None:
            data_preprocessor = dict(type='FusionDataPreprocessor', size_divisor=divisor)
        preprocessor = build_component(MODELS, data_preprocessor, 'data_preprocessor')
        if getattr(preprocessor, 'size_divisor', divisor) % divisor:
            raise ValueError(
                f'data_preprocessor size_divisor={preprocessor.size_divisor} is not a multiple '
                f'of the backbone size_divisor={divisor}'
            )
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        self.backbone = backbone
        self.objective = build_component(OBJECTIVES, objective, 'objective')

    def forward(
        self,
        inputs: dict[str, Any],
        data_samples: Sequence[FusionSample] | None = None,
        mode: str = 'tensor',
    ) -> dict[str, torch.Tensor] | list[FusionSample] | torch.Tensor:
        sources, task = inputs['sources'], inputs['task']  # (B, N, C, Hp, Wp), (B,)
        if mode == 'loss':
            key = self.objective.target_key
            target = inputs.get(key) if key else None
            valid = inputs.get(f'{key}_valid') if key else None
            return self.objective.loss(self.backbone, sources, task, target, valid)
        if mode not in ('predict', 'tensor'):
            raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")
        fused, nfe = self.objective.predict(self.backbone, sources, task)  # (B, C, Hp, Wp)
        h, w = inputs.get('img_shape', sources.shape[-2:])
        fused = fused[..., :h, :w]  # (B, C, H, W)
        if mode == 'tensor':
            return fused
        return self._pack(fused.clamp(0, 1), sources[..., :h, :w], nfe, data_samples)

    @staticmethod
    def _pack(
        pred: torch.Tensor,
        sources: torch.Tensor,
        nfe: int,
        data_samples: Sequence[FusionSample] | None,
    ) -> list[FusionSample]:
        """Write pred (B, C, H, W), sources (B, N, C, H, W) and nfe into the data samples."""
        if data_samples is None:
            data_samples = [FusionSample() for _ in range(pred.shape[0])]
        for i, sample in enumerate(data_samples):
            sample.pred = pred[i]
            sample.sources = sources[i]
            sample.set_metainfo({'nfe': nfe})
            if 'chroma' in sample:
                chroma = sample.chroma.to(pred)  # (2, H, W)
                if pred.shape[1] != 1 or chroma.shape[-2:] != pred.shape[-2:]:
                    raise ValueError(
                        f'colour recomposition needs a luma pred (1, H, W) and chroma (2, H, W); '
                        f'got pred {tuple(pred.shape[1:])}, chroma {tuple(chroma.shape)}'
                    )
                sample.pred_color = ycbcr_to_rgb(torch.cat([pred[i], chroma]))  # (3, H, W)
        return list(data_samples)
