"""The interface of an ODE solver that samples a flow-matching model.

Convention (stated once for all solvers): a solver integrates ``dx/dt = v(x, t)`` from t = 0
(the start point x0: the sources or noise) to t = 1 (the fused image x1), and reports the number
of function evaluations (NFE), i.e. calls of the velocity function (one backbone pass each).
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Callable

import torch

#: ``velocity_fn(x (B, C, H, W), t (B,)) -> v (B, C, H, W)``.
VelocityFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class CountingVelocity:
    """Wrap a velocity function to count its calls and broadcast a scalar time to (B,).

    Args:
        velocity_fn (VelocityFn): The wrapped function.
    """

    def __init__(self, velocity_fn: VelocityFn) -> None:
        self.velocity_fn = velocity_fn
        self.nfe = 0

    def __call__(self, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        self.nfe += 1
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
        if t.dim() == 0:
            t = t.expand(x.shape[0])  # (B,)
        return self.velocity_fn(x, t)


class BaseSolver(metaclass=ABCMeta):
    """Integrate a velocity field from t = 0 to t = 1.

    Args:
        num_steps (int): Default number of steps, used when :meth:`sample` gets none.
            Defaults to 10.
    """

    def __init__(self, num_steps: int = 10) -> None:
        self.num_steps = self._check_steps(num_steps)

    @staticmethod
    def _check_steps(num_steps: int) -> int:
        if int(num_steps) != num_steps or num_steps < 1:
            raise ValueError(f'num_steps must be a positive integer, got {num_steps!r}')
        return int(num_steps)

    def sample(
        self, velocity_fn: VelocityFn, x_init: torch.Tensor, num_steps: int | None = None
    ) -> tuple[torch.Tensor, int]:
        """Integrate from ``x_init`` (B, C, H, W) at t = 0 to t = 1.

        Args:
            velocity_fn (VelocityFn): ``v(x (B, C, H, W), t (B,)) -> (B, C, H, W)``.
            x_init (Tensor): The state at t = 0, (B, C, H, W).
            num_steps (int | None): Steps; None uses the solver's ``num_steps``.
                Defaults to None.

        Returns:
            tuple[Tensor, int]: The state at t = 1 (B, C, H, W) and the exact NFE.
        """
        steps = self.num_steps if num_steps is None else self._check_steps(num_steps)
        counted = CountingVelocity(velocity_fn)
        x1 = self.integrate(counted, x_init, steps)
        return x1, counted.nfe

    @abstractmethod
    def integrate(
        self, velocity_fn: CountingVelocity, x_init: torch.Tensor, num_steps: int
    ) -> torch.Tensor:
        """The state at t = 1 (B, C, H, W) reached from ``x_init`` at t = 0."""

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_steps={self.num_steps})'
