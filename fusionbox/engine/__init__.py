"""Engine parts: the runner, hooks and loops FusionBox adds to MMEngine."""

from .hooks import *  # noqa: F401,F403
from .runners import *  # noqa: F401,F403
