"""Fusion tasks (registry ``TASKS``): one :class:`FusionTask` spec per task, read by every
module that behaves per task."""

from .builtin_tasks import InfraredVisibleTask, MedicalTask, MultiExposureTask, MultiFocusTask
from .fusion_task import (
    FusionTask,
    PluginTaskNames,
    RoleNames,
    SpecView,
    TaskNames,
    all_tasks,
    get_task,
    role_names,
    spec_table,
    task_index,
    task_names,
)

__all__ = [
    'FusionTask',
    'InfraredVisibleTask',
    'MedicalTask',
    'MultiExposureTask',
    'MultiFocusTask',
    'PluginTaskNames',
    'RoleNames',
    'SpecView',
    'TaskNames',
    'all_tasks',
    'get_task',
    'role_names',
    'spec_table',
    'task_index',
    'task_names',
]
