"""Backbones (registry ``BACKBONES``): networks from (sources, task, [t, prompt, x]) to an image."""

from .unet import UNet

__all__ = ['UNet']
