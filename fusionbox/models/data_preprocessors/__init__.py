"""Data preprocessors (registry ``MODELS``): collated samples to a padded batch on the device."""

from .fusion_data_preprocessor import FusionDataPreprocessor

__all__ = ['FusionDataPreprocessor']
