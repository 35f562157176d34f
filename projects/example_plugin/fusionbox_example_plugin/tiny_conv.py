"""A deliberately small backbone showing the contract every FusionBox backbone follows."""

import torch
from torch import nn

from fusionbox.models.backbones import BackboneOutput, BaseBackbone
from fusionbox.tasks import task_names


class TinyConvFuser(BaseBackbone):
    """Three convolutions over the mean and max of the sources, conditioned on the task.

    A regression backbone: it declares no time, no state and no prompt (``accepts_time=False``,
    ``state_channels=0``, ``prompt_dim=None``), so flow matching and a text encoder refuse it
    with a message naming it instead of training a model that ignores them.

    Args:
        in_channels: channels per source (the fuser passes the latent channels when it has an
            autoencoder). Defaults to 1.
        width: hidden channels. Defaults to 16.
        num_tasks: rows of the task embedding; None: every registered task. Defaults to None.
        prompt_dim: passed by the fuser when it has a text encoder; must be None here.
            Defaults to None.
    """

    #: Where the task embedding is in the state dict (the fuser moves its rows on load).
    task_embedding_keys = ('task_embed.weight',)

    def __init__(
        self,
        in_channels: int = 1,
        width: int = 16,
        num_tasks: int | None = None,
        prompt_dim: int | None = None,
    ):
        if prompt_dim is not None:
            raise ValueError(
                f'TinyConvFuser takes no prompt (got prompt_dim={prompt_dim}): use it without a '
                'text encoder'
            )
        super().__init__(in_channels, in_channels, 0, False, None, size_divisor=1)
        num_tasks = len(task_names()) if num_tasks is None else num_tasks
        self.task_embed = nn.Embedding(num_tasks, width)
        self.inp = nn.Conv2d(2 * in_channels, width, 3, padding=1)
        self.mid = nn.Conv2d(width, width, 3, padding=1)
        self.out = nn.Conv2d(width, in_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, sources, task, t=None, prompt_emb=None, x=None) -> BackboneOutput:
        self.check_inputs(sources, t, prompt_emb, x)  # refuses t, x and a prompt
        mean = sources.mean(1)  # (B, C, H, W)
        h = torch.cat([mean, sources.amax(1)], 1)  # (B, 2C, H, W)
        h = torch.relu(self.inp(h) + self.task_embed(task)[:, :, None, None])
        h = torch.relu(self.mid(h))
        return BackboneOutput(mean + self.out(h))  # zero-initialised output: the mean at start
