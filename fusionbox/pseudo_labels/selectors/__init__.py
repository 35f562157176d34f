"""Pseudo-label selectors (registry SELECTORS): pick the most reliable candidate per sample."""

from .task_aware import DEFAULT_TASK_METRICS, ScoreMap, Selection, TaskAwareSelector

__all__ = ['DEFAULT_TASK_METRICS', 'ScoreMap', 'Selection', 'TaskAwareSelector']
