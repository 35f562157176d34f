"""Flow matching: transport a start point x0 to the fused image x1 along a learned velocity field.

Convention (as in :mod:`.paths`): t = 0 is the start point x0, t = 1 the fused image x1.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
import torch.nn as nn

from fusionbox.registry import LOSSES, OBJECTIVES, SOLVERS
from fusionbox.tasks import spec_table, task_index, task_names

from ..backbones.base_backbone import contract
from ..builder import build_component
from ..losses.intensity_loss import REDUCTIONS
from ..solvers import BaseSolver
from .base_objective import BaseObjective
from .paths import TIME_SAMPLINGS, LinearPath, sample_time

#: Where the path starts.
X0_MODES = ('sources', 'noise')
#: How the per-sample velocity error is weighted over time (see ``velocity_weighting``).
VELOCITY_WEIGHTINGS = ('none', 'end_point')
#: The sampler used unless ``solver`` is given.
DEFAULT_SOLVER = dict(type='Euler')


@OBJECTIVES.register_module()
class FlowMatching(BaseObjective):
    """Learn the velocity of the linear path from x0 to the fused image; sample it with an ODE.

    Training: draw t (uniform or logit-normal), ``x_t = (1 - t) x0 + t x1``; the backbone,
    called as ``backbone(sources, task, t=t, prompt_emb=prompt_emb, x=x_t)``, predicts the
    velocity, regressed onto ``x1 - x0``. The start x0 is either

    * ``'sources'``: source-anchored transport (FusionFM): a per-task initial fusion of the sources
      (``init_fusion``: elementwise max or mean...), plus ``noise_std`` Gaussian noise; or
    * ``'noise'``: standard Gaussian noise (MMAIF's flow variant); the sources then reach the
      model only as the backbone's condition.

    Targets and masking: the target x1 is the batch field ``target_key`` (``'gt'`` or
    ``'pseudo_label'``). A sample without a target (``target_valid`` False, or no target at all)
    is left out of the velocity loss (neither summed nor counted; a batch without any target
    gives a zero that keeps the graph); its x_t is built with its initial fusion as a stand-in
    x1, and it is trained only by the auxiliary ``losses`` (LOSSES configs as in
    :class:`Regression`: intensity, gradient, SSIM against the sources) evaluated on the
    one-step estimate ``x1_hat = x_t + (1 - t) v`` of every sample. So training works with
    ground truth, with pseudo-labels and without either.

    Inference: integrate from x0 with the solver (``SOLVERS``), ``num_steps`` steps; returns the
    fused image (clamped to [0, 1] unless ``clamp=False``) and the NFE.

    The backbone must be built with ``state_channels`` equal to the image channels C and with
    ``with_time=True``; otherwise :meth:`loss` and :meth:`predict` raise a ``ValueError``.

    Paper: FusionFM: All-in-One Multi-Modal Image Fusion with Flow Matching (Zhu et al., 2025);
        MMAIF: Multi-task and Multi-degradation All-in-One for Image Fusion with Language Guidance
        (Cao et al., ICCV 2025), the flow-matching variant.
    Ref: Flow Matching for Generative Modeling (Lipman et al., ICLR 2023); Rectified Flow
        (Liu et al., ICLR 2023); logit-normal times from Esser et al. (ICML 2024); training on
        the sampler's states against exposure bias: Ning et al., "Elucidating the Exposure Bias
        in Diffusion Models" (ICLR 2024) and "Input Perturbation Reduces Exposure Bias in
        Diffusion Models" (ICML 2023).

    Args:
        x0 (str): ``'sources'`` or ``'noise'``. Defaults to 'sources'.
        init_fusion (Mapping[str, str] | None): Per-task initial fusion for ``x0='sources'``,
            ``'max'``, ``'mean'``, ``'min'`` or ``'focus'`` (per pixel the in-focus source,
            :func:`~..losses.intensity_loss.focus_select`); overrides
            the tasks' spec ``init_fusion`` for the tasks named. Defaults to None.
        noise_std (float): Std of the Gaussian noise added to the source-anchored x0.
            Defaults to 0.
        time_sampling (str): ``'uniform'`` or ``'logit_normal'``. Defaults to 'uniform'.
        logit_mean (float): Mean of the logit-normal times. Defaults to 0.
        logit_std (float): Std of the logit-normal times. Defaults to 1.
        velocity_loss (str): ``'l2'`` (mean squared error) or ``'l1'``. Defaults to 'l2'.
        velocity_weight (float): Weight of the velocity term ``loss_velocity``. Defaults to 1.
        rollout_prob (float): Fraction of the samples (drawn per sample) whose training state is
            the sampler's own state instead of a point on the true path: the model's one-step
            prediction from x0 is made without gradient, ``x1_hat0 = x0 + v(x0, 0)``, and
            ``x_t = (1 - t) x0 + t x1_hat0`` (where an Euler step of size t from x0 lands); the
            target stays x1, i.e. the velocity ``(x1 - x_t) / (1 - t)``, so the model learns to
            correct its own first-step error, which is what few-step sampling needs (exposure
            bias). Needs ``velocity_weighting='end_point'`` (the error is the end point's).
            Costs one extra forward pass without gradient for those samples. Defaults to 0.
        velocity_weighting (str): ``'none'``: the velocity error as it is; ``'end_point'``: each
            sample's error times ``(1 - t)^2``, which is the error of the one-step end-point
            estimate ``x_t + (1 - t) v`` against x1 (the natural loss of a backbone that predicts
            the end point, e.g. ``UNet(head='gated')``, whose velocity error grows as
            ``1 / (1 - t)`` near t = 1). Defaults to 'none'.
        losses (Sequence[dict]): Auxiliary ``LOSSES`` configs, each called as
            ``loss(x1_hat, sources, task)``. Defaults to () (none).
        solver (dict | BaseSolver): ``SOLVERS`` config of the sampler. Defaults to
            :data:`DEFAULT_SOLVER` (Euler).
        num_steps (int | None): Sampling steps; None keeps the solver's ``num_steps``.
            Defaults to None.
        clamp (bool): Clamp the prediction to [0, 1]; set False when sampling in a latent space
            whose values leave [0, 1]. Defaults to True.
        target_key (str | None): ``'gt'``, ``'pseudo_label'`` or None (only the auxiliary
            losses train). Defaults to 'gt'.
    """

    def __init__(
        self,
        x0: str = 'sources',
        init_fusion: Mapping[str, str] | None = None,
        noise_std: float = 0.0,
        time_sampling: str = 'uniform',
        logit_mean: float = 0.0,
        logit_std: float = 1.0,
        velocity_loss: str = 'l2',
        velocity_weight: float = 1.0,
        velocity_weighting: str = 'none',
        rollout_prob: float = 0.0,
        losses: Sequence[dict] = (),
        solver: dict | BaseSolver = DEFAULT_SOLVER,
        num_steps: int | None = None,
        clamp: bool = True,
        target_key: str | None = 'gt',
    ) -> None:
        super().__init__(target_key=target_key)
        if x0 not in X0_MODES:
            raise ValueError(f'FlowMatching x0 must be one of {X0_MODES}, got {x0!r}')
        chosen = {**spec_table('init_fusion'), **(init_fusion or {})}
        for task, how in chosen.items():
            task_index(task)
            if how not in REDUCTIONS:
                raise ValueError(f'unknown init_fusion {how!r} for {task}: {list(REDUCTIONS)}')
        if time_sampling not in TIME_SAMPLINGS:
            raise ValueError(f'time_sampling must be one of {TIME_SAMPLINGS}: {time_sampling!r}')
        if velocity_loss not in ('l1', 'l2'):
            raise ValueError(f"velocity_loss must be 'l1' or 'l2', got {velocity_loss!r}")
        if velocity_weighting not in VELOCITY_WEIGHTINGS:
            raise ValueError(
                f'velocity_weighting must be one of {VELOCITY_WEIGHTINGS}, '
                f'got {velocity_weighting!r}'
            )
        if noise_std < 0:
            raise ValueError(f'noise_std must be >= 0, got {noise_std}')
        if not 0 <= rollout_prob <= 1:
            raise ValueError(f'rollout_prob must be in [0, 1], got {rollout_prob}')
        if rollout_prob and velocity_weighting != 'end_point':
            raise ValueError(
                "rollout_prob > 0 needs velocity_weighting='end_point' (the error of a rolled-out "
                f'state is its end point error), got {velocity_weighting!r}'
            )
        self.x0_mode = x0
        self.init_fusion = [chosen[task] for task in task_names()]  # by task id
        self.noise_std = float(noise_std)
        self.time_sampling, self.logit_mean, self.logit_std = time_sampling, logit_mean, logit_std
        self.velocity_loss, self.velocity_weight = velocity_loss, velocity_weight
        self.velocity_weighting = velocity_weighting
        self.rollout_prob = float(rollout_prob)
        self.path = LinearPath()
        self.losses = nn.ModuleList(
            [build_component(LOSSES, cfg, f'losses[{i}]') for i, cfg in enumerate(losses)]
        )
        names = ['loss_velocity'] + [loss.loss_name for loss in self.losses]
        if len(set(names)) != len(names):
            raise ValueError(f'FlowMatching loss names must be distinct, got {names}')
        if target_key is None and not self.losses:
            raise ValueError('FlowMatching without a target_key needs auxiliary losses')
        self.solver = self._build_solver(solver, 'solver')
        self.num_steps = None if num_steps is None else BaseSolver._check_steps(num_steps)
        self.clamp = clamp

    # --- start point ------------------------------------------------------------------------

    def initial_fusion(self, sources: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        """The per-task initial fusion (B, C, H, W) of sources (B, N, C, H, W)."""
        tids = task.unique().tolist()
        if len(tids) == 1:  # one task: one reduction (no masked copy; traces to a fixed graph)
            return REDUCTIONS[self.init_fusion[tids[0]]](sources)
        out = torch.empty_like(sources[:, 0])
        for tid in tids:
            sel = task == tid
            out[sel] = REDUCTIONS[self.init_fusion[tid]](sources[sel])
        return out

    def start_point(self, sources: torch.Tensor, task: torch.Tensor) -> torch.Tensor:
        """x0 (B, C, H, W): the noisy initial fusion (``'sources'``) or N(0, I) (``'noise'``)."""
        if self.x0_mode == 'noise':
            return torch.randn_like(sources[:, 0])
        x0 = self.initial_fusion(sources, task)
        if self.noise_std:
            x0 = x0 + self.noise_std * torch.randn_like(x0)
        return x0

    # --- training ---------------------------------------------------------------------------

    def loss(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        target: torch.Tensor | None = None,
        target_valid: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        self._check_backbone(backbone, sources.shape[2])
        b = sources.shape[0]
        if target is None:
            valid = torch.zeros(b, dtype=torch.bool, device=sources.device)
        elif target_valid is None:
            valid = torch.ones(b, dtype=torch.bool, device=sources.device)
        else:
            valid = target_valid.to(device=sources.device, dtype=torch.bool).view(b)
        x0 = self.start_point(sources, task)  # (B, C, H, W)
        x1 = self.initial_fusion(sources, task).detach()  # stand-in x1 for samples w/o target
        if target is not None:
            x1 = torch.where(valid.view(b, 1, 1, 1), target.to(x1), x1)
        t = sample_time(b, self.time_sampling, self.logit_mean, self.logit_std, sources.device)
        point = self.path.sample(x0, x1, t)
        x_t, target_v = point.x_t, point.velocity
        if self.rollout_prob:
            x_t, target_v = self._rollout(backbone, sources, task, prompt_emb, x0, x1, x_t, t)
        res = backbone(sources, task, t=t, prompt_emb=prompt_emb, x=x_t)
        v = res.fused  # (B, C, H, W)

        out = {'loss_velocity': self._velocity_loss(v, target_v, valid, t)}
        if self.losses:
            x1_hat = self.path.end_point(x_t, v, t)  # (B, C, H, W)
            for loss in self.losses:
                out[loss.loss_name] = loss(x1_hat, sources, task)
        return self.add_aux_losses(out, res.aux_losses)

    def _rollout(self, backbone, sources, task, prompt_emb, x0, x1, x_t, t):
        """Replace the states (B, C, H, W) of a ``rollout_prob`` fraction of the samples by where
        one Euler step of size t from x0 lands with the model's own velocity (no gradient);
        returns the states and the velocity targets ``(x1 - x_t) / (1 - t)`` (the path velocity
        ``x1 - x0`` where the state is on the path)."""
        b = x0.shape[0]
        chosen = torch.rand(b, device=x0.device) < self.rollout_prob  # (B,)
        target_v = x1 - x0
        if not chosen.any():
            return x_t, target_v
        emb = None if prompt_emb is None else prompt_emb[chosen]
        with torch.no_grad():
            t0 = torch.zeros(int(chosen.sum()), dtype=x0.dtype, device=x0.device)
            v0 = backbone(sources[chosen], task[chosen], t=t0, prompt_emb=emb, x=x0[chosen]).fused
        tt = t[chosen].to(x0).view(-1, 1, 1, 1)
        rolled = x0[chosen] + tt * v0  # (B_chosen, C, H, W)
        x_t, target_v = x_t.clone(), target_v.clone()
        x_t[chosen] = rolled
        target_v[chosen] = (x1[chosen] - rolled) / (1 - tt)  # t < 1: times are drawn in [0, 1)
        return x_t, target_v

    def _velocity_loss(
        self, v: torch.Tensor, target_v: torch.Tensor, valid: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """Mean over the valid samples of the per-sample velocity error (zero if none)."""
        if not valid.any():
            return v.sum() * 0.0
        diff = v[valid] - target_v[valid]  # (B_valid, C, H, W)
        if self.velocity_weighting == 'end_point':
            diff = diff * (1 - t[valid].to(diff)).view(-1, 1, 1, 1)  # end-point error
        err = diff.square() if self.velocity_loss == 'l2' else diff.abs()
        return self.velocity_weight * err.flatten(1).mean(1).mean()

    # --- inference --------------------------------------------------------------------------

    def predict(
        self,
        backbone: nn.Module,
        sources: torch.Tensor,
        task: torch.Tensor,
        prompt_emb: torch.Tensor | None = None,
        **kwargs,
    ) -> tuple[torch.Tensor, int]:
        """Integrate from x0 to t = 1.

        Args:
            backbone (nn.Module): The velocity network.
            sources (Tensor): (B, N, C, H, W).
            task (Tensor): (B,) task ids.
            prompt_emb (Tensor | None): (B, D). Defaults to None.
            **kwargs: ``num_steps`` (int) and ``solver`` (a ``SOLVERS`` config, type name or
                solver) override the configured ones for this call.

        Returns:
            tuple[Tensor, int]: The fused image (B, C, H, W) and the NFE.
        """
        unknown = set(kwargs) - {'num_steps', 'solver'}
        if unknown:
            raise TypeError(f'FlowMatching.predict got unknown options {sorted(unknown)}')
        self._check_backbone(backbone, sources.shape[2])
        solver = self.solver
        if kwargs.get('solver') is not None:
            solver = self._build_solver(kwargs['solver'], 'predict(solver=...)')
        num_steps = kwargs.get('num_steps')
        num_steps = self.num_steps if num_steps is None else num_steps

        def velocity_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            return backbone(sources, task, t=t, prompt_emb=prompt_emb, x=x).fused  # (B, C, H, W)

        fused, nfe = solver.sample(velocity_fn, self.start_point(sources, task), num_steps)
        return (fused.clamp(0, 1) if self.clamp else fused), nfe

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _build_solver(cfg: dict | str | BaseSolver, key: str) -> BaseSolver:
        cfg = dict(type=cfg) if isinstance(cfg, str) else cfg
        solver = build_component(SOLVERS, cfg, key)
        if not hasattr(solver, 'sample'):
            raise TypeError(f'{key}: a solver needs a sample() method, got {type(solver)}')
        return solver

    def check_backbone(self, backbone: nn.Module) -> None:
        """The backbone transports an image of its ``in_channels``: it must declare the time
        and a state of that many channels."""
        self._check_backbone(backbone, contract(backbone)['in_channels'])

    @staticmethod
    def _check_backbone(backbone: nn.Module, channels: int) -> None:
        """Raise if the backbone does not declare that it takes the state x (B, C, H, W) and
        the time t (a backbone without the declarations is refused too, by name)."""
        name = type(backbone).__name__
        declared = contract(backbone)
        state, with_time = declared['state_channels'], declared['accepts_time']
        if state != channels or not with_time:
            raise ValueError(
                f'FlowMatching needs the backbone built with state_channels={channels} (the '
                f'channels of the image it transports) and with_time=True; {name} has '
                f'state_channels={state}, with_time={bool(with_time)}: set '
                f'backbone=dict(type={name!r}, state_channels={channels}, with_time=True, ...) '
                "(and base='zero' for a U-Net)"
            )
