"""ODE solvers (registry ``SOLVERS``) that sample flow-matching models from t = 0 to t = 1."""

from .adaptive import Adaptive
from .base_solver import BaseSolver, CountingVelocity
from .fixed_step import RK4, Euler, FixedStepSolver, Heun, Midpoint

__all__ = [
    'RK4',
    'Adaptive',
    'BaseSolver',
    'CountingVelocity',
    'Euler',
    'FixedStepSolver',
    'Heun',
    'Midpoint',
]
