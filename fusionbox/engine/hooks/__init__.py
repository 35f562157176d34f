from .checkpoint_hook import CheckpointHook
from .fused_image_saver_hook import FusedImageSaverHook

__all__ = ['CheckpointHook', 'FusedImageSaverHook']
