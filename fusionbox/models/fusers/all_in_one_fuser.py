"""The all-in-one fuser: one model, conditioned on the task and a prompt, for every task."""

from __future__ import annotations

import copy
import json
from typing import Any, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from fusionbox.registry import AUTOENCODERS, BACKBONES, MODELS, OBJECTIVES, TEXT_ENCODERS
from fusionbox.structures import FusionSample
from fusionbox.tasks import task_names
from fusionbox.utils.color import ycbcr_to_rgb

from ..backbones.base_backbone import BackboneOutput, BaseBackbone, contract
from ..builder import build_component

#: The objective used unless ``objective`` is given.
DEFAULT_OBJECTIVE = dict(type='Regression')
#: Where the objective works when there is an autoencoder (see :class:`AllInOneFuser`).
LOSS_SPACES = ('latent', 'pixel')
#: The task table of a checkpoint that does not record one (written before the task registry).
LEGACY_TASK_TABLE = ('ivf', 'mif', 'mef', 'mff')


@MODELS.register_module()
class AllInOneFuser(BaseModel):
    """Data preprocessor + [autoencoder] + backbone + objective, conditioned on task and prompt.

    ``forward(inputs, data_samples, mode)`` takes the batch made by
    :class:`~fusionbox.models.data_preprocessors.FusionDataPreprocessor` (``inputs['sources']``
    (B, N, C, Hp, Wp), ``inputs['task']`` (B,), targets, ``inputs['img_shape']``) and, by
    ``mode``:

    * ``'loss'``: the objective's loss dict, ending with the backbone's auxiliary losses (e.g.
      the MoE load balance, returned by the backbone with its output); the supervised target
      is ``inputs[target_key]`` where ``target_key`` is the objective's (``'gt'`` or
      ``'pseudo_label'``), completed per sample from ``inputs[target_fallback]`` when set;
    * ``'predict'``: the data samples with ``pred`` (C, H, W) in [0, 1] cropped to the unpadded
      size, ``sources`` (N, C, H, W), ``pred_color`` (3, H, W) RGB when the sample has ``chroma``
      (2, H, W), and metainfo ``nfe`` (backbone evaluations per image);
    * ``'tensor'``: the raw fused tensor (B, C, H, W), cropped, not clamped.

    Latent space (``autoencoder``): with ``loss_space='latent'`` the sources (B * N images) and
    the target are encoded, the objective trains and samples in the latent, and the prediction is
    decoded; with ``'pixel'`` the objective sees images and the backbone is wrapped as
    ``decode(backbone(encode(sources), ..., x=encode(x)))``, so the losses are computed on
    images (the autoencoder acts as the backbone's patch embedding; for flow matching use it with
    a linear, lossless autoencoder, where both spaces give the same path). The backbone is built
    with ``in_channels = latent_channels`` unless its config sets it. A frozen autoencoder
    (``frozen=True``) is not trained and stays in eval mode.

    Tasks: the fuser's :attr:`task_table` is the registered task names in id order when it is
    built (the rows of the backbone's task embedding). The table is saved with the weights (as
    the extra state ``_extra_state``, a uint8 tensor, so safetensors files keep it too); loading
    weights whose table differs (a checkpoint without one has the four built-in tasks) moves the
    task-embedding rows to the current ids, and :attr:`trained_tasks` becomes the checkpoint's
    tasks: a task the weights were not trained on is refused by name.

    Prompts (``text_encoder``): the metainfo ``prompt`` of each sample ('' when absent) is
    encoded to ``prompt_emb`` (B, D) and given to the objective; the backbone is built with
    ``prompt_dim = text_encoder.dim`` unless its config sets it (to that value, else an error).

    Args:
        backbone (dict): ``BACKBONES`` config, e.g. ``dict(type='UNet', arch='unet-s')``.
        objective (dict): ``OBJECTIVES`` config. Defaults to :data:`DEFAULT_OBJECTIVE`.
        data_preprocessor (dict | None): ``MODELS`` config of the preprocessor; None gives
            ``FusionDataPreprocessor(size_divisor=d)`` with ``d`` the autoencoder's downsample
            times the backbone's size_divisor, and a given one must pad to a multiple of ``d``.
            Defaults to None.
        autoencoder (dict | None): ``AUTOENCODERS`` config of the latent space; None works on
            the images. Defaults to None.
        text_encoder (dict | None): ``TEXT_ENCODERS`` config of the prompt encoder; None: no
            prompt conditioning. Defaults to None.
        loss_space (str): ``'latent'`` or ``'pixel'`` (see above). Defaults to 'latent'.
        target_fallback (str | None): A batch field (``'gt'`` or ``'pseudo_label'``) supplying
            the target of the samples that lack the objective's own, e.g. ``'gt'`` for
            pseudo-label training on a benchmark that has ground truth for some tasks.
            Defaults to None.
        init_cfg (dict | None): MMEngine initialisation config. Defaults to None.

    Raises:
        KeyError: a sub-config names an unknown ``type``; the message names the sub-config.
        ValueError: inconsistent sizes (size_divisor, in_channels, prompt_dim).
    """

    def __init__(
        self,
        backbone: dict,
        objective: dict = DEFAULT_OBJECTIVE,
        data_preprocessor: dict | None = None,
        autoencoder: dict | None = None,
        text_encoder: dict | None = None,
        loss_space: str = 'latent',
        target_fallback: str | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        if loss_space not in LOSS_SPACES:
            raise ValueError(f'loss_space must be one of {LOSS_SPACES}, got {loss_space!r}')
        if target_fallback not in (None, 'gt', 'pseudo_label'):
            raise ValueError(
                f'target_fallback must be gt, pseudo_label or None, got {target_fallback!r}'
            )
        ae = build_component(AUTOENCODERS, autoencoder, 'autoencoder')  # None stays None
        te = build_component(TEXT_ENCODERS, text_encoder, 'text_encoder')
        backbone = build_component(BACKBONES, _complete_backbone(backbone, ae, te), 'backbone')
        declared = contract(backbone)  # TypeError naming an undeclared backbone
        if ae is not None and declared['in_channels'] != ae.latent_channels:
            raise ValueError(
                f'backbone in_channels={backbone.in_channels} but the autoencoder latent has '
                f'{ae.latent_channels} channels (leave in_channels out to set it automatically)'
            )
        divisor = declared['size_divisor'] * (1 if ae is None else ae.downsample)
        if data_preprocessor is None:
            data_preprocessor = dict(type='FusionDataPreprocessor', size_divisor=divisor)
        preprocessor = build_component(MODELS, data_preprocessor, 'data_preprocessor')
        if getattr(preprocessor, 'size_divisor', divisor) % divisor:
            raise ValueError(
                f'data_preprocessor size_divisor={preprocessor.size_divisor} is not a multiple '
                f'of the backbone size_divisor times the autoencoder downsample = {divisor}'
            )
        super().__init__(data_preprocessor=preprocessor, init_cfg=init_cfg)
        self.backbone = backbone
        self.objective = build_component(OBJECTIVES, objective, 'objective')
        self.autoencoder, self.text_encoder = ae, te
        self.loss_space, self.target_fallback = loss_space, target_fallback
        self.objective.check_backbone(self.objective_backbone())  # refuses what does not fit
        self.task_table: tuple = task_names()  # task id -> name
        self.trained_tasks: tuple = self.task_table

    # --- task table ---------------------------------------------------------------------------

    def get_extra_state(self) -> torch.Tensor:
        """The task table as a uint8 tensor of its JSON (a tensor survives safetensors)."""
        return torch.tensor(list(json.dumps(list(self.task_table)).encode()), dtype=torch.uint8)

    def set_extra_state(self, state: Any) -> None:
        self.trained_tasks = tuple(t for t in _decode_tasks(state) if t in self.task_table)

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing, unexpected, error_msgs
    ) -> None:
        """Move the task-embedding rows of a checkpoint with another task table (or none: the
        built-ins) to this fuser's task ids, before the backbone loads them."""
        key = prefix + '_extra_state'
        saved = LEGACY_TASK_TABLE
        if key in state_dict:
            try:
                saved = _decode_tasks(state_dict[key])
            except (ValueError, TypeError, UnicodeDecodeError):
                error_msgs.append(f'{key} is not a task table (a uint8 tensor of JSON names)')
        state_dict[key] = torch.tensor(list(json.dumps(list(saved)).encode()), dtype=torch.uint8)
        if tuple(saved) != self.task_table and isinstance(self.backbone, BaseBackbone):
            self._move_task_rows(state_dict, prefix + 'backbone.', saved)
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing, unexpected, error_msgs
        )

    def _move_task_rows(self, state_dict: dict, prefix: str, saved: Sequence[str]) -> None:
        keys = [k for k in self.backbone.task_embedding_keys if prefix + k in state_dict]
        if not keys or len(state_dict[prefix + keys[0]]) != len(saved):
            return  # no task embedding, or not the saved table's: the backbone's load reports it
        rows = state_dict[prefix + keys[0]]  # (len(saved), D)
        current = self.backbone.state_dict()[self.backbone.task_embedding_keys[0]]
        moved = current.detach().clone().to(rows)  # rows of tasks not in the checkpoint: as built
        for i, name in enumerate(saved):
            if name in self.task_table:
                moved[self.task_table.index(name)] = rows[i]
        state_dict[prefix + keys[0]] = moved

    def check_tasks(self, task: torch.Tensor) -> None:
        """Refuse task ids (B,) the weights were not trained on, naming the task."""
        if len(self.trained_tasks) == len(self.task_table):
            return
        for tid in task.unique().tolist():
            name = self.task_table[tid] if 0 <= tid < len(self.task_table) else str(tid)
            if name not in self.trained_tasks:
                raise ValueError(
                    f'this model was trained on the tasks {list(self.trained_tasks)}, not on '
                    f'{name!r} (registered tasks: {list(self.task_table)})'
                )

    # --- conditioning and latent space --------------------------------------------------------

    def encode_prompts(
        self, data_samples: Sequence[FusionSample] | None, batch: int
    ) -> torch.Tensor | None:
        """``prompt_emb`` (B, D) of the samples' metainfo ``prompt``; None without text encoder."""
        if self.text_encoder is None:
            return None
        if data_samples is None:
            prompts = [''] * batch
        else:
            prompts = [s.metainfo.get('prompt') or '' for s in data_samples]
        return self.text_encoder(prompts)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """Images (B, [N,] C, H, W) -> latents (B, [N,] Cz, h, w); unchanged without autoencoder."""
        if self.autoencoder is None:
            return images
        if images.dim() == 5:
            return self.autoencoder.encode(images.flatten(0, 1)).unflatten(0, images.shape[:2])
        return self.autoencoder.encode(images)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """(B, Cz, h, w) -> (B, C, H, W) (unchanged without autoencoder)."""
        return latents if self.autoencoder is None else self.autoencoder.decode(latents)

    def objective_backbone(self) -> nn.Module:
        """The backbone the objective calls: the backbone, or with ``loss_space='pixel'`` a
        :class:`PixelSpaceBackbone` around it and the autoencoder."""
        if self.autoencoder is not None and self.loss_space == 'pixel':
            return PixelSpaceBackbone(self.backbone, self.autoencoder)
        return self.backbone

    def _space(self, sources: torch.Tensor) -> tuple[nn.Module, torch.Tensor, bool]:
        """The backbone the objective calls, its sources, and whether to decode its output."""
        if self.autoencoder is None or self.loss_space == 'pixel':
            return self.objective_backbone(), sources, False
        return self.backbone, self.encode(sources), True

    def _target(self, inputs: dict[str, Any]) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        key = self.objective.target_key
        if not key:
            return None, None
        target, valid = inputs.get(key), inputs.get(f'{key}_valid')
        fb = self.target_fallback
        if fb is None or fb == key or inputs.get(fb) is None:
            return target, valid
        fb_target, fb_valid = inputs[fb], inputs[f'{fb}_valid']
        if target is None:
            return fb_target, fb_valid
        use_fb = (~valid & fb_valid).view(-1, 1, 1, 1)
        return torch.where(use_fb, fb_target, target), valid | fb_valid

    # --- forward ------------------------------------------------------------------------------

    def forward(
        self,
        inputs: dict[str, Any],
        data_samples: Sequence[FusionSample] | None = None,
        mode: str = 'tensor',
    ) -> dict[str, torch.Tensor] | list[FusionSample] | torch.Tensor:
        sources, task = inputs['sources'], inputs['task']  # (B, N, C, Hp, Wp), (B,)
        if mode not in ('loss', 'predict', 'tensor'):
            raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")
        self.check_tasks(task)
        prompt_emb = self.encode_prompts(data_samples, sources.shape[0])  # (B, D) or None
        backbone, space_sources, decode = self._space(sources)
        kw = {} if prompt_emb is None else dict(prompt_emb=prompt_emb)
        if mode == 'loss':
            target, valid = self._target(inputs)
            if decode and target is not None:
                target = self.encode(target)  # (B, Cz, h, w)
            return self.objective.loss(backbone, space_sources, task, target, valid, **kw)
        fused, nfe = self.objective.predict(backbone, space_sources, task, **kw)
        fused = self.decode(fused) if decode else fused  # (B, C, Hp, Wp)
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


def _complete_backbone(cfg: Any, ae: Any, te: Any) -> Any:
    """Fill ``in_channels`` (latent channels) and ``prompt_dim`` (text dim) into a backbone cfg."""
    if not isinstance(cfg, dict):
        return cfg
    cfg = copy.deepcopy(cfg)
    if ae is not None:
        cfg.setdefault('in_channels', ae.latent_channels)
    if te is not None:
        if cfg.get('prompt_dim') is None:
            cfg['prompt_dim'] = te.dim
        elif cfg['prompt_dim'] != te.dim:
            raise ValueError(
                f'backbone prompt_dim={cfg["prompt_dim"]} differs from the text encoder dim='
                f'{te.dim}; leave prompt_dim out to set it automatically'
            )
    return cfg


def _decode_tasks(state: Any) -> tuple:
    """The task names of a saved task table (a uint8 tensor of JSON, or a list)."""
    if isinstance(state, torch.Tensor):
        state = json.loads(bytes(state.to(torch.uint8).tolist()).decode())
    return tuple(state)


class PixelSpaceBackbone(BaseBackbone):
    """``decode(backbone(encode(sources), task, t, prompt_emb, x=encode(x)))``: a backbone on
    images whose network runs in the autoencoder's latent.

    A module made per call by the fuser around its own backbone and autoencoder (it is not an
    attribute of the fuser, so their parameters stay in the state dict once); it declares the
    contract in image space.
    """

    def __init__(self, backbone: nn.Module, autoencoder: nn.Module) -> None:
        declared = contract(backbone)
        image = autoencoder.in_channels
        super().__init__(
            in_channels=image,
            out_channels=image,
            state_channels=image if declared['state_channels'] else 0,
            accepts_time=declared['accepts_time'],
            prompt_dim=declared['prompt_dim'],
            size_divisor=declared['size_divisor'] * autoencoder.downsample,
        )
        self.backbone, self.autoencoder = backbone, autoencoder

    def forward(self, sources, task, t=None, prompt_emb=None, x=None) -> BackboneOutput:
        self.check_inputs(sources, t, prompt_emb, x)
        ae = self.autoencoder
        z = ae.encode(sources.flatten(0, 1)).unflatten(0, sources.shape[:2])  # (B, N, Cz, h, w)
        zx = None if x is None else ae.encode(x)  # (B, Cz, h, w)
        out = self.backbone(z, task, t=t, prompt_emb=prompt_emb, x=zx)
        return BackboneOutput(ae.decode(out.fused), out.aux_losses)  # (B, C, H, W)
