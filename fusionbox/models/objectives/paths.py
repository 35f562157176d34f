"""The probability path and the training-time distribution of flow matching.

Convention (stated once for FusionBox's flow matching): t = 0 is the start point x0 (made of the
sources, or Gaussian noise) and t = 1 is the fused image x1; the network predicts the velocity
``dx/dt`` and sampling integrates it from t = 0 to t = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

#: The time distributions :func:`sample_time` knows.
TIME_SAMPLINGS = ('uniform', 'logit_normal')


def _expand(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Times (B,) viewed as (B, 1, ..., 1) to broadcast against ``like`` (B, ...)."""
    return t.view(-1, *([1] * (like.dim() - 1))).to(like.dtype)


@dataclass
class PathSample:
    """A point ``x_t`` (B, C, H, W) on the path, its target ``velocity`` and its time ``t`` (B,)."""

    x_t: torch.Tensor
    velocity: torch.Tensor
    t: torch.Tensor


class LinearPath:
    """The linear (rectified-flow, optimal-transport conditional) path between x0 and x1.

    ``x_t = (1 - t) x0 + t x1`` with the constant velocity ``dx_t/dt = x1 - x0``; so
    ``x_0 = x0``, ``x_1 = x1`` and, given a velocity v at (x_t, t), the one-step estimate of the
    end point is ``x1_hat = x_t + (1 - t) v``.

    Paper: Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow
        (Liu et al., ICLR 2023); Flow Matching for Generative Modeling (Lipman et al., ICLR 2023).
    Ref: facebookresearch/flow_matching, ``AffineProbPath`` with ``CondOTScheduler``.
    """

    def sample(self, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor) -> PathSample:
        """The point at times t (B,) between x0 and x1 (B, C, H, W) and its velocity."""
        tt = _expand(t, x0)  # (B, 1, 1, 1)
        return PathSample(x_t=(1 - tt) * x0 + tt * x1, velocity=x1 - x0, t=t)

    def end_point(self, x_t: torch.Tensor, velocity: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The one-step estimate of x1 (B, C, H, W): ``x_t + (1 - t) v``."""
        return x_t + (1 - _expand(t, x_t)) * velocity


def sample_time(
    batch: int,
    mode: str = 'uniform',
    mean: float = 0.0,
    std: float = 1.0,
    device: torch.device | str | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Training times (B,) in [0, 1).

    Args:
        batch (int): B.
        mode (str): ``'uniform'`` (U[0, 1)) or ``'logit_normal'`` (``sigmoid(N(mean, std))``,
            strictly inside (0, 1), concentrating the training on the middle of the path as in
            Stable Diffusion 3). Defaults to 'uniform'.
        mean (float): Mean of the normal before the sigmoid (logit-normal only). Defaults to 0.
        std (float): Its standard deviation (logit-normal only). Defaults to 1.
        device (torch.device | str | None): Device of the result. Defaults to None.
        generator (torch.Generator | None): Random generator. Defaults to None.

    Ref: Scaling Rectified Flow Transformers for High-Resolution Image Synthesis (Esser et al.,
        ICML 2024), logit-normal time sampling.
    """
    if mode == 'uniform':
        return torch.rand(batch, device=device, generator=generator)
    if mode == 'logit_normal':
        z = torch.randn(batch, device=device, generator=generator)
        return torch.sigmoid(mean + std * z)
    raise ValueError(f'time sampling must be one of {TIME_SAMPLINGS}, got {mode!r}')
