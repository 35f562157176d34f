"""A deliberately small backbone showing the interface every FusionBox backbone follows."""

import torch
from torch import nn


class TinyConvFuser(nn.Module):
    """Three convolutions over the mean and max of the sources, conditioned on the task.

    Args:
        in_channels: channels per source. Defaults to 1.
        width: hidden channels. Defaults to 16.
        num_tasks: size of the task embedding table. Defaults to 4.
    """

    def __init__(self, in_channels: int = 1, width: int = 16, num_tasks: int = 4):
        super().__init__()
        self.task_embed = nn.Embedding(num_tasks, width)
        self.inp = nn.Conv2d(2 * in_channels, width, 3, padding=1)
        self.mid = nn.Conv2d(width, width, 3, padding=1)
        self.out = nn.Conv2d(width, in_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, sources, task, t=None, prompt_emb=None, x=None):
        mean = sources.mean(1)  # (B, C, H, W)
        h = torch.cat([mean, sources.amax(1)], 1)  # (B, 2C, H, W)
        h = torch.relu(self.inp(h) + self.task_embed(task)[:, :, None, None])
        h = torch.relu(self.mid(h))
        return mean + self.out(h)
