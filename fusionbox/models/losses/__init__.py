"""Fusion losses (registry ``LOSSES``): unsupervised terms against the sources, supervised term."""

from .base_fusion_loss import BaseFusionLoss
from .gradient_loss import GradientLoss
from .intensity_loss import IntensityLoss
from .ssim_loss import SSIMLoss
from .supervised_loss import SupervisedLoss

__all__ = ['BaseFusionLoss', 'GradientLoss', 'IntensityLoss', 'SSIMLoss', 'SupervisedLoss']
