"""Hooks of continual learning (registry ``HOOKS``)."""

from .continual_checkpoint_hook import ContinualCheckpointHook

__all__ = ['ContinualCheckpointHook']
