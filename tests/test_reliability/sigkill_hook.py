"""The crash of the crash-and-resume tests: a hook that SIGKILLs its own training process at a
chosen moment (the training subprocess imports it through ``custom_imports``)."""

import os
import signal

from mmengine.hooks import Hook

from fusionbox.registry import HOOKS


@HOOKS.register_module()
class SigkillHook(Hook):
    """Kill the process with SIGKILL (nothing is flushed or cleaned up).

    Args:
        at_iter: the iteration (1-based, as checkpoints count) at which to die.
        during: ``'save'``: while the checkpoint of ``at_iter`` is being saved (after MMEngine's
            rotation, before the file is written); ``'iter'``: right after iteration
            ``at_iter`` trained, before its checkpoint.
    """

    priority = 'VERY_HIGH'

    def __init__(self, at_iter: int, during: str = 'save') -> None:
        self.at_iter, self.during = at_iter, during

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.during == 'save' and checkpoint['meta']['iter'] == self.at_iter:
            os.kill(os.getpid(), signal.SIGKILL)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if self.during == 'iter' and runner.iter + 1 == self.at_iter:
            os.kill(os.getpid(), signal.SIGKILL)
