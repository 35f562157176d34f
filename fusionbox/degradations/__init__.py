"""Synthetic degradations of source images (registry DEGRADATIONS) and the steps applying them.

One family per module: :mod:`.noise`, :mod:`.blur`, :mod:`.weather`, :mod:`.exposure`,
:mod:`.compression` (JPEG and resolution), :mod:`.infrared`; :mod:`.composer` draws 1 to 3 of
them per sample from a task-specific set and :mod:`.prompts` writes the instruction;
:mod:`.transforms` holds the pipeline steps, :mod:`.degraded_dataset` the dataset wrapper and
:mod:`.degraded_real_dataset` its real-data form (pseudo-label targets, keyed draws).
The restore-then-fuse baseline lives in :mod:`.restoration` (registry RESTORERS).
Importing this package registers all of them.
"""

from .base import INFRARED, MEDICAL, VISIBLE, BaseDegradation
from .blur import DefocusBlur, GaussianBlur, MotionBlur
from .composer import (
    DEFAULT_EXCLUSIVE,
    DEFAULT_TASK_OPS,
    RandomDegradationComposer,
    degradation_names,
    resolve_name,
)
from .compression import Downsample, JPEGCompression
from .degrade_sources import DegradeSources
from .degraded_dataset import DegradedFusionDataset
from .degraded_real_dataset import DegradedRealFusionDataset
from .exposure import LowContrast, LowLight, OverExposure
from .infrared import StripeNoise
from .noise import GaussianNoise, PoissonNoise
from .prompt_bank import PROMPT_BANK
from .prompts import DegradationPromptComposer, register_prompts
from .restoration import BaseRestorer, RestoreThenFuse, restorer_for
from .transforms import PackDegradedFusionInputs, RandomDegradeSources
from .weather import Haze, Rain, Snow

__all__ = [
    'BaseDegradation',
    'BaseRestorer',
    'DEFAULT_EXCLUSIVE',
    'DEFAULT_TASK_OPS',
    'DefocusBlur',
    'DegradationPromptComposer',
    'DegradeSources',
    'DegradedFusionDataset',
    'DegradedRealFusionDataset',
    'Downsample',
    'GaussianBlur',
    'GaussianNoise',
    'Haze',
    'INFRARED',
    'JPEGCompression',
    'LowContrast',
    'LowLight',
    'MEDICAL',
    'MotionBlur',
    'OverExposure',
    'PROMPT_BANK',
    'PackDegradedFusionInputs',
    'PoissonNoise',
    'RandomDegradationComposer',
    'RandomDegradeSources',
    'Rain',
    'RestoreThenFuse',
    'Snow',
    'StripeNoise',
    'VISIBLE',
    'degradation_names',
    'register_prompts',
    'resolve_name',
    'restorer_for',
]
