"""The Runner FusionBox builds by default: MMEngine's Runner with atomic checkpoint writes."""
from __future__ import annotations

import os
import os.path as osp

from mmengine.runner import Runner

from fusionbox.registry import RUNNERS


@RUNNERS.register_module()
class FusionRunner(Runner):
    """MMEngine :class:`~mmengine.runner.Runner` whose checkpoints are written atomically.

    A checkpoint is first written under a temporary name in the same folder and renamed over the
    final name only once complete, so an interrupted save never leaves a truncated ``iter_N.pth``
    that ``--resume`` would pick up.
    """

    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        tmp_name = f'.{filename}.partial'
        super().save_checkpoint(out_dir, tmp_name, *args, **kwargs)
        os.replace(osp.join(out_dir, tmp_name), osp.join(out_dir, filename))
