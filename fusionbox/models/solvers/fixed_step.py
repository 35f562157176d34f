"""Fixed-step explicit Runge-Kutta solvers on the uniform grid t_i = i / n, i = 0..n.

With h = 1 / n, a method of order p has a global error O(h^p) on smooth fields; its NFE is
``stages * n``: Euler n (p = 1), Heun 2n (p = 2), Midpoint 2n (p = 2), RK4 4n (p = 4).

Ref: E. Hairer, S. P. Norsett, G. Wanner, Solving Ordinary Differential Equations I
    (Springer, 1993), Sec. II.1; the ``flow_matching`` library's ODE solver (Lipman et al., 2024).
"""

from __future__ import annotations

from abc import abstractmethod

import torch

from fusionbox.registry import SOLVERS

from .base_solver import BaseSolver, CountingVelocity


class FixedStepSolver(BaseSolver):
    """Take ``num_steps`` equal steps of :meth:`step` from t = 0 to t = 1.

    Args:
        num_steps (int): Default number of steps. Defaults to 10.
    """

    #: Velocity evaluations per step.
    stages = 1

    def integrate(
        self, velocity_fn: CountingVelocity, x_init: torch.Tensor, num_steps: int
    ) -> torch.Tensor:
        h = 1.0 / num_steps
        x = x_init
        for i in range(num_steps):
            x = self.step(velocity_fn, x, i * h, h)  # (B, C, H, W)
        return x

    @abstractmethod
    def step(self, f: CountingVelocity, x: torch.Tensor, t: float, h: float) -> torch.Tensor:
        """One step from x (B, C, H, W) at time t to time t + h."""


@SOLVERS.register_module()
class Euler(FixedStepSolver):
    """Explicit Euler, order 1, NFE = n: ``x + h v(x, t)``.

    Args:
        num_steps (int): Default number of steps. Defaults to 10.
    """

    stages = 1

    def step(self, f: CountingVelocity, x: torch.Tensor, t: float, h: float) -> torch.Tensor:
        return x + h * f(x, t)


@SOLVERS.register_module()
class Heun(FixedStepSolver):
    """Heun's method (explicit trapezoid), order 2, NFE = 2n.

    ``k1 = v(x, t)``, ``k2 = v(x + h k1, t + h)``, ``x + h (k1 + k2) / 2``; the last step keeps
    its corrector, so the count is exactly 2n.

    Args:
        num_steps (int): Default number of steps. Defaults to 10.
    """

    stages = 2

    def step(self, f: CountingVelocity, x: torch.Tensor, t: float, h: float) -> torch.Tensor:
        k1 = f(x, t)
        k2 = f(x + h * k1, t + h)
        return x + 0.5 * h * (k1 + k2)


@SOLVERS.register_module()
class Midpoint(FixedStepSolver):
    """Explicit midpoint method, order 2, NFE = 2n: ``x + h v(x + h/2 v(x, t), t + h/2)``.

    Args:
        num_steps (int): Default number of steps. Defaults to 10.
    """

    stages = 2

    def step(self, f: CountingVelocity, x: torch.Tensor, t: float, h: float) -> torch.Tensor:
        k1 = f(x, t)
        return x + h * f(x + 0.5 * h * k1, t + 0.5 * h)


@SOLVERS.register_module()
class RK4(FixedStepSolver):
    """The classical fourth-order Runge-Kutta method, order 4, NFE = 4n.

    Args:
        num_steps (int): Default number of steps. Defaults to 10.
    """

    stages = 4

    def step(self, f: CountingVelocity, x: torch.Tensor, t: float, h: float) -> torch.Tensor:
        k1 = f(x, t)
        k2 = f(x + 0.5 * h * k1, t + 0.5 * h)
        k3 = f(x + 0.5 * h * k2, t + 0.5 * h)
        k4 = f(x + h * k3, t + h)
        return x + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
