"""MMEngine's checkpoint hook with the rotation after the save, and ``last_checkpoint`` atomic."""

from __future__ import annotations

import os.path as osp

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook as MMEngineCheckpointHook

from fusionbox.registry import HOOKS
from fusionbox.utils.io import atomic_write_text


@HOOKS.register_module()
class CheckpointHook(MMEngineCheckpointHook):
    """MMEngine's :class:`~mmengine.hooks.CheckpointHook` (same arguments) that never leaves
    nothing to resume from.

    Registered under MMEngine's name in the ``fusionbox`` scope, so every FusionBox config's
    ``default_hooks.checkpoint = dict(type='CheckpointHook', ...)`` builds it
    (``'mmengine.CheckpointHook'`` still names the original). Changes to MMEngine 0.10.7:

    * with ``max_keep_ckpts`` set, MMEngine deletes the oldest checkpoint *before* writing the new
      one: a kill during the save with ``max_keep_ckpts=1`` left only a partial file. Here the
      new checkpoint is written (atomically, by :class:`~fusionbox.engine.FusionRunner`) first
      and the old ones are deleted after;
    * ``last_checkpoint`` is written atomically (a kill while writing it left an empty file).
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        dropped = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                dropped = self.keep_ckpt_ids[0]
            self.keep_ckpt_ids.append(step)  # a deque of length max_keep_ckpts: drops the oldest
            # recorded before the save, so the checkpoint carries the list (as in MMEngine)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args,
        )
        if not is_main_process():
            return
        # the pointer to the newest checkpoint: moved at every save
        atomic_write_text(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt, overwrite=True
        )
        if dropped is not None:  # only now that the new checkpoint is complete
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(dropped))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
