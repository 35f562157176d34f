from .fused_image_saver_hook import FusedImageSaverHook

__all__ = ['FusedImageSaverHook']
