"""The backbone contract: what every FusionBox backbone declares, checks and returns.

A backbone maps ``(sources (B, N, C, H, W), task (B,), t, prompt_emb, x)`` to a
:class:`BackboneOutput` (the fused image or velocity (B, C_out, H, W) and its auxiliary losses).
It *declares* what it accepts, as attributes set by :class:`BaseBackbone`:

==================  =====================================================================
``in_channels``      channels C of each source
``out_channels``     channels of the output
``state_channels``   channels of the state ``x`` concatenated to the sources (0: no state)
``accepts_time``     whether a time ``t`` in [0, 1] is accepted (flow matching needs it)
``prompt_dim``       width D of the prompt embedding (B, D), None: no prompt
``size_divisor``     H and W must be multiples of it
==================  =====================================================================

Objectives and the fuser read these declarations (:func:`contract`) and refuse a backbone that
lacks one or does not fit, naming it. Time convention: t = 0 is the source, t = 1 the fused image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn as nn

from fusionbox.tasks import task_names

from .conditioning import ConditionEmbedding

#: The attributes every backbone declares (see the module docstring).
CONTRACT = (
    'in_channels',
    'out_channels',
    'state_channels',
    'accepts_time',
    'prompt_dim',
    'size_divisor',
)


#: What an untrained backbone with a zero-initialised output layer returns (its ``base``).
BASES = ('mean', 'max', 'zero')


def check_base(base: str, in_channels: int, out_channels: int) -> None:
    """Refuse an unknown ``base``, or a source-shaped base for an output of other channels."""
    if base not in BASES:
        raise ValueError(f"base must be 'mean', 'max' or 'zero', got {base!r}")
    if base != 'zero' and out_channels != in_channels:
        raise ValueError(f'base={base!r} needs out_channels == in_channels')


def base_image(sources: torch.Tensor, base: str) -> torch.Tensor | float:
    """The ``base`` of sources (B, N, C, H, W): their mean or max over N (B, C, H, W), or 0."""
    if base == 'mean':
        return sources.mean(1)
    if base == 'max':
        return sources.amax(1)
    return 0.0


@dataclass
class BackboneOutput:
    """What a backbone returns: the output (B, C_out, H, W) and its auxiliary losses (e.g. the
    MoE load balance, already weighted; keys contain ``'loss'``)."""

    fused: torch.Tensor
    aux_losses: dict[str, torch.Tensor] = field(default_factory=dict)


def contract(backbone: Any) -> dict:
    """The declared contract of ``backbone`` (:data:`CONTRACT` -> value).

    Raises:
        TypeError: the backbone does not declare some of them; the message names it and them.
    """
    missing = [name for name in CONTRACT if not hasattr(backbone, name)]
    if missing:
        raise TypeError(
            f'backbone {type(backbone).__name__} does not declare {missing}: a FusionBox backbone '
            'subclasses fusionbox.models.backbones.BaseBackbone (or sets these attributes), see '
            'docs/advanced_guides/add_a_backbone.md'
        )
    return {name: getattr(backbone, name) for name in CONTRACT}


class BaseBackbone(nn.Module):
    """The base of every backbone: declarations, presets, input checks, conditioning.

    A subclass calls ``super().__init__(...)`` with its declarations, builds the conditioning
    embedding with :meth:`build_condition` (as its first sub-module), checks its inputs with
    :meth:`check_inputs` and returns a :class:`BackboneOutput` from ``forward``.

    Args:
        in_channels (int): Channels C of each source.
        out_channels (int | None): Output channels; None means ``in_channels``.
        state_channels (int): Channels of the state ``x`` (0: none).
        accepts_time (bool): Whether ``t`` is accepted.
        prompt_dim (int | None): Width of the prompt embedding; None: no prompt.
        size_divisor (int): H and W must be multiples of it.
    """

    #: Size presets (name -> dict of :attr:`arch_keys`); a subclass defines its own.
    arch_zoo: dict[str, dict] = {}
    arch_keys: tuple = ()
    #: State-dict keys (relative to the backbone) of the task embedding table (rows = task ids):
    #: the current one first, then older names a load-time rename accepts.
    task_embedding_keys: tuple = ('cond.task.weight',)

    def __init__(
        self,
        in_channels: int,
        out_channels: int | None,
        state_channels: int,
        accepts_time: bool,
        prompt_dim: int | None,
        size_divisor: int,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = in_channels if out_channels is None else out_channels
        self.state_channels, self.accepts_time = state_channels, bool(accepts_time)
        self.prompt_dim, self.size_divisor = prompt_dim, size_divisor

    @property
    def with_time(self) -> bool:
        """The constructor's name of :attr:`accepts_time`."""
        return self.accepts_time

    @classmethod
    def resolve_arch(cls, arch: str | dict) -> dict:
        """A preset name of :attr:`arch_zoo` or a dict with every key of :attr:`arch_keys`."""
        name = cls.__name__
        if isinstance(arch, str):
            if arch not in cls.arch_zoo:
                raise KeyError(f'unknown {name} arch {arch!r}; presets: {sorted(cls.arch_zoo)}')
            arch = cls.arch_zoo[arch]
        missing = set(cls.arch_keys) - set(arch)
        if missing:
            raise KeyError(f'{name} arch dict lacks {sorted(missing)}')
        return dict(arch)

    def build_condition(
        self, dim: int, num_tasks: int | None = None, freq_dim: int = 256
    ) -> ConditionEmbedding:
        """``self.cond``: task embedding (``num_tasks`` rows, None: every registered task)
        [+ time] [+ prompt] -> (B, dim), from the declarations."""
        num_tasks = len(task_names()) if num_tasks is None else num_tasks
        self.num_tasks = num_tasks
        self.cond = ConditionEmbedding(
            dim, num_tasks, self.accepts_time, self.prompt_dim, freq_dim=freq_dim
        )
        return self.cond

    def check_inputs(
        self,
        sources: torch.Tensor,
        t: torch.Tensor | None = None,
        prompt_emb: torch.Tensor | None = None,
        x: torch.Tensor | None = None,
    ) -> None:
        """Refuse inputs the backbone was not built for, naming what does not fit."""
        name, (h, w) = type(self).__name__, sources.shape[-2:]
        if h % self.size_divisor or w % self.size_divisor:
            raise ValueError(
                f'{name} input size {(h, w)} must be a multiple of {self.size_divisor} '
                '(set the data preprocessor size_divisor)'
            )
        if sources.shape[2] != self.in_channels:
            raise ValueError(
                f'{name} built with in_channels={self.in_channels} got sources with '
                f'{sources.shape[2]} channels'
            )
        if (x is None) != (self.state_channels == 0):
            raise ValueError(
                f'{name} built with state_channels={self.state_channels} got x={x is not None}'
            )
        if t is not None and not self.accepts_time:
            raise ValueError(f'{name} got a time t but was built with with_time=False')
        if prompt_emb is not None and not self.prompt_dim:
            raise ValueError(f'{name} got a prompt embedding but was built with prompt_dim=None')
