"""Backbones (registry ``BACKBONES``): networks from (sources, task, [t, prompt, x]) to an image."""

from .base_backbone import CONTRACT, BackboneOutput, BaseBackbone, contract
from .dit import DiT
from .moe_dit import MoEDiT
from .unet import UNet

__all__ = [
    'CONTRACT',
    'BackboneOutput',
    'BaseBackbone',
    'DiT',
    'MoEDiT',
    'UNet',
    'contract',
]
