"""Backbones (registry ``BACKBONES``): networks from (sources, task, [t, prompt, x]) to an image."""

from .dit import DiT
from .moe_dit import MoEDiT
from .unet import UNet

__all__ = ['DiT', 'MoEDiT', 'UNet']
