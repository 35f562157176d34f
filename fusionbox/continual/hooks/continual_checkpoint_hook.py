"""Carries the state of a task sequence (stage, Fisher, anchors, memory, matrix) in checkpoints."""

from __future__ import annotations

from mmengine.hooks import Hook

from fusionbox.registry import HOOKS


@HOOKS.register_module()
class ContinualCheckpointHook(Hook):
    """Write the train loop's continual state into ``checkpoint['continual']`` and give it back
    on load.

    Works with any train loop that has ``continual_state_dict()`` and
    ``load_continual_state_dict(state)`` (:class:`~fusionbox.continual.TaskSequenceTrainLoop`,
    which registers this hook itself when the config does not). Other loops are left alone.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        loop = runner.train_loop
        if hasattr(loop, 'continual_state_dict'):
            checkpoint['continual'] = loop.continual_state_dict()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        loop = runner.train_loop
        if 'continual' in checkpoint and hasattr(loop, 'load_continual_state_dict'):
            loop.load_continual_state_dict(checkpoint['continual'])
