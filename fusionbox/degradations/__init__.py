"""Synthetic degradations of source images (registry DEGRADATIONS) and the step applying them."""
from .base import BaseDegradation
from .degrade_sources import DegradeSources

__all__ = ['BaseDegradation', 'DegradeSources']
