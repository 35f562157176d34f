"""The Runner FusionBox builds by default: MMEngine's Runner with atomic checkpoint writes."""

from __future__ import annotations

import os
import os.path as osp
from pathlib import Path

import torch
import torch.distributed as torch_dist
from mmengine.device import get_device
from mmengine.dist import is_main_process
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from fusionbox.registry import MODEL_WRAPPERS, RUNNERS


@RUNNERS.register_module()
class FusionRunner(Runner):
    """MMEngine :class:`~mmengine.runner.Runner` with atomic checkpoints and CPU distributed runs.

    Changes to MMEngine 0.10.7's behaviour:

    * distributed runs on CPUs (gloo): MMEngine calls ``torch.cuda.set_device`` when it
      initialises the process group, which a CPU build of torch lacks, so with no CUDA device
      the group is initialised here from torchrun's environment (``--launcher pytorch``);
    * MMEngine passes ``device_ids=[LOCAL_RANK]`` to ``DistributedDataParallel``, which torch
      rejects for CPU modules: CPU models are wrapped with ``device_ids=None`` (GPU runs are
      unchanged);
    * a checkpoint is first written under a temporary name in the same folder and renamed over
      the final name only once complete, so an interrupted save never leaves a truncated
      ``iter_N.pth`` that ``--resume`` would pick up;
    * ``--resume`` without a file continues from
      :func:`fusionbox.utils.checkpoint.find_resumable_checkpoint`: ``last_checkpoint``, or the
      newest complete checkpoint when that file is empty or names one that is gone (MMEngine
      failed on an empty ``last_checkpoint``); when nothing is left to resume from, a
      :class:`~fusionbox.utils.errors.CheckpointError` says so (no silent restart);
    * checkpoints are read (``load_from``, ``--resume``, ``tools/test.py``) with
      :func:`fusionbox.utils.checkpoint.load_checkpoint_file`: tensors and MMEngine's own types
      only, a checkpoint carrying other pickled objects is refused and nothing in it runs; a
      checkpoint of another model (no key in common, or a tensor of another shape) is refused
      (:func:`~fusionbox.utils.checkpoint.load_state_into`) where MMEngine only logged a
      warning.
    """

    def setup_env(self, env_cfg: dict) -> None:
        if (
            self._launcher != 'none'
            and not torch.cuda.is_available()
            and not torch_dist.is_initialized()
        ):
            if self._launcher != 'pytorch':
                raise RuntimeError(
                    f'launcher {self._launcher!r} needs CUDA here; on CPUs use '
                    'torchrun with --launcher pytorch'
                )
            backend = env_cfg.get('dist_cfg', {}).get('backend', 'gloo')
            torch_dist.init_process_group(backend=backend)
        super().setup_env(env_cfg)

    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        tmp_name = f'.{filename}.partial'
        super().save_checkpoint(out_dir, tmp_name, *args, **kwargs)
        if is_main_process():  # MMEngine writes checkpoints on the main process only
            os.replace(osp.join(out_dir, tmp_name), osp.join(out_dir, filename))

    def load_or_resume(self) -> None:
        if self._resume and self._load_from is None and not self._has_loaded:
            from fusionbox.utils.checkpoint import find_resumable_checkpoint
            from fusionbox.utils.errors import CheckpointError

            found = find_resumable_checkpoint(self.work_dir)
            pointer = osp.join(self.work_dir, 'last_checkpoint')
            if found is not None:
                self._load_from = str(found)
            elif osp.isfile(pointer) and Path(pointer).read_text().strip():
                raise CheckpointError(
                    f'cannot resume: {pointer} names a checkpoint that is gone and '
                    f'{self.work_dir} holds no other complete one (give --resume CHECKPOINT, or '
                    'remove last_checkpoint to train from the start)'
                )
            else:
                self.logger.info(f'no checkpoint in {self.work_dir}: training from the start')
                self._resume = False
        super().load_or_resume()

    def load_checkpoint(
        self,
        filename: str,
        map_location='cpu',
        strict: bool = False,
        revise_keys: list = [(r'^module.', '')],  # noqa: B006 (MMEngine's signature)
    ) -> dict:
        """MMEngine's ``Runner.load_checkpoint`` (``resume`` calls it too) through the safe
        loader; local files only."""
        import re

        from fusionbox.utils.checkpoint import load_checkpoint_file, load_state_into

        if '://' in str(filename):
            raise ValueError(f'checkpoint {filename}: only local checkpoint files are loaded')
        checkpoint = load_checkpoint_file(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        state = checkpoint.get('state_dict', checkpoint)
        for pattern, replacement in revise_keys:
            state = {re.sub(pattern, replacement, k): v for k, v in state.items()}
        missing, unexpected = load_state_into(model, state, filename, strict)
        if missing or unexpected:  # a partial checkpoint (fine-tuning): say what was not loaded
            self.logger.warning(
                f'{filename}: {len(missing)} model keys not in the checkpoint (e.g. '
                f'{sorted(missing)[:3]}), {len(unexpected)} checkpoint keys not in the model'
            )
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def wrap_model(self, model_wrapper_cfg, model):
        if not self.distributed or get_device() != 'cpu' or is_model_wrapper(model):
            return super().wrap_model(model_wrapper_cfg, model)
        wrapper_cfg = dict(model_wrapper_cfg or {})
        wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
        wrapper_cfg.setdefault('broadcast_buffers', False)
        wrapper_cfg.setdefault(
            'find_unused_parameters', self.cfg.get('find_unused_parameters', False)
        )
        return MODEL_WRAPPERS.build(
            wrapper_cfg, default_args=dict(module=model.to('cpu'), device_ids=None)
        )
