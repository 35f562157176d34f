"""Adaptive-step ODE solver backed by torchdiffeq (dopri5 by default)."""

from __future__ import annotations

import torch
from torchdiffeq import odeint

from fusionbox.registry import SOLVERS

from .base_solver import BaseSolver, CountingVelocity


@SOLVERS.register_module()
class Adaptive(BaseSolver):
    """Integrate from t = 0 to t = 1 with torchdiffeq's ``odeint`` and count the NFE.

    The step sizes are chosen by the error control (``rtol``, ``atol``), so the ``num_steps``
    argument of :meth:`sample` has no effect here; the NFE (every call of the velocity
    function, including the rejected steps and the initial step-size selection) is counted by
    wrapping the velocity function.

    Paper: Neural Ordinary Differential Equations (Chen et al., NeurIPS 2018), torchdiffeq.
    Ref: J. R. Dormand, P. J. Prince, A family of embedded Runge-Kutta formulae (1980), dopri5.

    Args:
        method (str): A torchdiffeq method, e.g. ``'dopri5'``, ``'bosh3'``, ``'adaptive_heun'``.
            Defaults to 'dopri5'.
        rtol (float): Relative tolerance. Defaults to 1e-5.
        atol (float): Absolute tolerance. Defaults to 1e-5.
        options (dict | None): Extra ``options`` of ``odeint`` (e.g. ``max_num_steps``).
            Defaults to None.
    """

    def __init__(
        self,
        method: str = 'dopri5',
        rtol: float = 1e-5,
        atol: float = 1e-5,
        options: dict | None = None,
    ) -> None:
        super().__init__(num_steps=1)
        self.method = method
        self.rtol = rtol
        self.atol = atol
        self.options = dict(options or {})

    def integrate(
        self, velocity_fn: CountingVelocity, x_init: torch.Tensor, num_steps: int
    ) -> torch.Tensor:
        times = torch.tensor([0.0, 1.0], dtype=x_init.dtype, device=x_init.device)  # (2,)
        traj = odeint(
            lambda t, x: velocity_fn(x, t),
            x_init,
            times,
            rtol=self.rtol,
            atol=self.atol,
            method=self.method,
            options=self.options or None,
        )  # (2, B, C, H, W)
        return traj[-1]

    def __repr__(self) -> str:
        return f'Adaptive(method={self.method!r}, rtol={self.rtol}, atol={self.atol})'
