"""Fusers (registry ``MODELS``): complete fusion models the Runner trains and tests."""

from .all_in_one_fuser import AllInOneFuser

__all__ = ['AllInOneFuser']
