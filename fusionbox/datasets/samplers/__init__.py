"""Data samplers (registry ``DATA_SAMPLERS``)."""

from .task_weighted_sampler import TaskWeightedSampler

__all__ = ['TaskWeightedSampler']
