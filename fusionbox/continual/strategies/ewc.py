"""Elastic weight consolidation: a quadratic pull towards the previous tasks' parameters."""

from __future__ import annotations

from typing import Iterable, Sequence

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_world_size

from fusionbox.registry import CONTINUAL_STRATEGIES

from .base_strategy import BaseContinualStrategy, LossFn, split_batch


def trainable_parameters(model: nn.Module) -> dict[str, nn.Parameter]:
    """The parameters the optimiser updates, by name."""
    return {n: p for n, p in model.named_parameters() if p.requires_grad}


def empirical_fisher(
    model: nn.Module, batches: Iterable[dict], loss_fn: LossFn, num_samples: int
) -> dict[str, torch.Tensor]:
    """Diagonal empirical Fisher: the mean over ``num_samples`` samples of the squared gradient of
    each sample's loss. Parameters the loss does not reach get zeros.

    Args:
        model: the model whose trainable parameters are measured.
        batches: batches (``pseudo_collate`` layout), split here into single samples.
        loss_fn: ``loss_fn(one_sample_batch) -> Tensor`` scalar loss.
        num_samples: how many samples to average over (fewer if ``batches`` runs out).

    Returns:
        ``{name: Tensor}`` shaped like each parameter, averaged over the processes of a
        distributed run.
    """
    params = trainable_parameters(model)
    fisher = {n: torch.zeros_like(p, dtype=torch.float32) for n, p in params.items()}
    count = 0
    for batch in batches:
        for one in split_batch(batch):
            model.zero_grad(set_to_none=True)
            loss_fn(one).backward()
            for name, p in params.items():
                if p.grad is not None:
                    fisher[name] += p.grad.detach().float() ** 2
            count += 1
            if count >= num_samples:
                break
        if count >= num_samples:
            break
    model.zero_grad(set_to_none=True)
    if count == 0:
        raise RuntimeError('EWC: no sample to estimate the Fisher information from')
    for value in fisher.values():
        value /= count
        if get_world_size() > 1:
            all_reduce(value, op='mean')
    return fisher


@CONTINUAL_STRATEGIES.register_module()
class EWC(BaseContinualStrategy):
    """Elastic weight consolidation with a diagonal empirical Fisher.

    After each task the Fisher F (mean of squared per-sample gradients of the objective's own
    loss) is estimated on that task's data and the parameters are kept as anchors theta*. Later
    tasks train with ``loss_ewc = lambda_ / 2 * sum_k sum_i F_k,i (theta_i - theta*_k,i)^2``
    summed over the previous tasks k. The online variant keeps one running Fisher
    ``F <- gamma * F + F_new`` and one anchor (the last task's parameters).

    Paper: Overcoming catastrophic forgetting in neural networks (Kirkpatrick et al., PNAS 2017);
        online EWC: Progress & Compress (Schwarz et al., ICML 2018). Used by FusionFM (Zhu et
        al., 2025) across fusion tasks.

    Args:
        lambda_ (float): Penalty weight. Defaults to 100.0.
        num_samples (int): Samples the Fisher is averaged over after each task. Defaults to 64.
        online (bool): Keep one running Fisher and anchor instead of one per task.
            Defaults to False.
        gamma (float): Decay of the running Fisher (online only). Defaults to 1.0.
        normalize (bool): Divide each task's Fisher by its mean over all parameters, so that
            ``lambda_`` does not depend on the scale of the loss. Defaults to False.
        loss_name (str): Key of the penalty in the loss dict. Defaults to 'loss_ewc'.
    """

    def __init__(
        self,
        lambda_: float = 100.0,
        num_samples: int = 64,
        online: bool = False,
        gamma: float = 1.0,
        normalize: bool = False,
        loss_name: str = 'loss_ewc',
    ) -> None:
        if lambda_ < 0 or num_samples < 1 or not 0 < gamma <= 1:
            raise ValueError(
                f'EWC needs lambda_ >= 0, num_samples >= 1 and 0 < gamma <= 1, got '
                f'{lambda_}, {num_samples}, {gamma}'
            )
        if 'loss' not in loss_name:
            raise ValueError(f"EWC loss_name must contain 'loss', got {loss_name!r}")
        self.lambda_ = float(lambda_)
        self.num_samples = int(num_samples)
        self.online = online
        self.gamma = float(gamma)
        self.normalize = normalize
        self.loss_name = loss_name
        # one entry per consolidated task (a single running entry when online)
        self.fishers: list[dict[str, torch.Tensor]] = []
        self.anchors: list[dict[str, torch.Tensor]] = []

    def penalty(self, model: nn.Module) -> dict[str, torch.Tensor]:
        if not self.fishers or self.lambda_ == 0:
            return {}
        params = trainable_parameters(model)
        total = None
        for fisher, anchor in zip(self.fishers, self.anchors):
            for name, f in fisher.items():
                p = params[name]
                f, a = f.to(p.device), anchor[name].to(p.device)  # no-op on the same device
                term = (f * (p.float() - a) ** 2).sum()
                total = term if total is None else total + term
        return {self.loss_name: 0.5 * self.lambda_ * total}

    def after_task(self, model: nn.Module, batches: Iterable[dict], loss_fn: LossFn) -> None:
        fisher = empirical_fisher(model, batches, loss_fn, self.num_samples)
        if self.normalize:
            mean = torch.stack([f.sum() for f in fisher.values()]).sum() / sum(
                f.numel() for f in fisher.values()
            )
            fisher = {n: f / mean.clamp_min(1e-20) for n, f in fisher.items()}
        anchor = {n: p.detach().float().clone() for n, p in trainable_parameters(model).items()}
        if self.online and self.fishers:
            fisher = {n: self.gamma * self.fishers[0][n].to(f) + f for n, f in fisher.items()}
            self.fishers, self.anchors = [fisher], [anchor]
        else:
            self.fishers.append(fisher)
            self.anchors.append(anchor)

    def state_dict(self) -> dict:
        def cpu(entries: Sequence[dict]) -> list[dict]:
            return [{n: t.detach().cpu() for n, t in e.items()} for e in entries]

        return {'fishers': cpu(self.fishers), 'anchors': cpu(self.anchors)}

    def load_state_dict(self, state: dict) -> None:
        self.fishers = [dict(f) for f in state['fishers']]
        self.anchors = [dict(a) for a in state['anchors']]
