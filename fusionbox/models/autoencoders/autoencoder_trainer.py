"""Train a learned autoencoder on the sources of a fusion dataset with the MMEngine Runner."""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from fusionbox.registry import AUTOENCODERS, MODELS
from fusionbox.structures import FusionSample

from ..builder import build_component
from .conv_autoencoder import kl_divergence, sample_posterior


@MODELS.register_module()
class AutoencoderTrainer(BaseModel):
    """Reconstruction (+ KL) training of an ``AUTOENCODERS`` model on fusion samples.

    Every source image of a batch (and the target fields ``gt`` / ``pseudo_label`` when
    ``with_targets``) is one training image: (B, N, C, H, W) -> (B * N, C, H, W). Losses:
    ``loss_rec`` (L1 of the reconstruction) and, for a KL autoencoder (``kl=True``),
    ``loss_kl`` (weighted KL to N(0, 1) of the posterior, the reconstruction decoded from a
    posterior sample). Its checkpoint (keys ``autoencoder.*``) loads into a fuser with
    ``autoencoder=dict(type=..., checkpoint=PATH, frozen=True)``.

    Modes: ``'loss'``; ``'predict'``: data samples with ``pred`` (N, C, H, W) the reconstructed
    sources, ``sources`` (N, C, H, W) and metainfo ``psnr`` (dB, images in [0, 1]);
    ``'tensor'``: the reconstruction (B, N, C, H, W).

    Args:
        autoencoder (dict): ``AUTOENCODERS`` config, e.g. ``dict(type='ConvAutoencoder')``.
        kl_weight (float): Weight of the KL term. Defaults to 1e-4.
        with_targets (bool): Train on the batch targets too. Defaults to False.
        data_preprocessor (dict | None): None gives ``FusionDataPreprocessor`` padding to the
            autoencoder's ``downsample``. Defaults to None.
        init_cfg (dict | None): MMEngine initialisation config. Defaults to None.
    """

    def __init__(
        self,
        autoencoder: dict,
        kl_weight: float = 1e-4,
        with_targets: bool = False,
        data_preprocessor: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        autoencoder = build_component(AUTOENCODERS, autoencoder, 'autoencoder')
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='FusionDataPreprocessor', size_divisor=autoencoder.downsample
            )
        preprocessor = build_component(MODELS, data_preprocessor, 'data_preprocessor')
        if getattr(preprocessor, 'size_divisor', 1) % autoencoder.downsample:
            raise ValueError(
                f'data_preprocessor size_divisor must be a multiple of {autoencoder.downsample}'
            )
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        if not any(p.requires_grad for p in autoencoder.parameters()):
            raise ValueError('AutoencoderTrainer needs an autoencoder with trainable parameters')
        self.autoencoder = autoencoder
        self.kl_weight, self.with_targets = kl_weight, with_targets

    def _images(self, inputs: dict[str, Any]) -> torch.Tensor:
        images = [inputs['sources'].flatten(0, 1)]  # (B * N, C, H, W)
        for key in ('gt', 'pseudo_label') if self.with_targets else ():
            if inputs.get(key) is not None:
                images.append(inputs[key][inputs[f'{key}_valid']])
        return torch.cat(images)

    def forward(
        self,
        inputs: dict[str, Any],
        data_samples: Sequence[FusionSample] | None = None,
        mode: str = 'tensor',
    ) -> dict[str, torch.Tensor] | list[FusionSample] | torch.Tensor:
        ae = self.autoencoder
        if mode == 'loss':
            x = self._images(inputs)
            if getattr(ae, 'kl', False):
                mean, logvar = ae.encode_posterior(x)
                recon = ae.decode(sample_posterior(mean, logvar))
                losses = {'loss_kl': self.kl_weight * kl_divergence(mean, logvar)}
            else:
                recon, losses = ae(x), {}
            return {'loss_rec': F.l1_loss(recon, x), **losses}
        if mode not in ('predict', 'tensor'):
            raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")
        sources = inputs['sources']  # (B, N, C, Hp, Wp)
        recon = ae(sources.flatten(0, 1)).unflatten(0, sources.shape[:2])
        h, w = inputs.get('img_shape', sources.shape[-2:])
        recon, sources = recon[..., :h, :w], sources[..., :h, :w]
        if mode == 'tensor':
            return recon
        if data_samples is None:
            data_samples = [FusionSample() for _ in range(recon.shape[0])]
        for rec, src, sample in zip(recon.clamp(0, 1), sources, data_samples):
            mse = F.mse_loss(rec.detach(), src).clamp_min(1e-10)
            sample.pred, sample.sources = rec, src
            sample.set_metainfo({'psnr': float(-10.0 * torch.log10(mse))})
        return list(data_samples)
