"""A light built-in prompt encoder: hashed word n-grams into a learned embedding table."""

from __future__ import annotations

import re
import zlib
from typing import Sequence

import torch
import torch.nn as nn

from fusionbox.registry import TEXT_ENCODERS

_WORD = re.compile(r'[a-z0-9]+')


@TEXT_ENCODERS.register_module()
class HashedNgramTextEncoder(nn.Module):
    """Encode prompts as the mean of learned embeddings of their hashed word n-grams.

    A prompt is lower-cased and split into words (``[a-z0-9]+``); each n-gram (n in ``ngrams``)
    is hashed with CRC-32 (deterministic across processes and machines, unlike Python's
    ``hash``) into one of ``num_buckets`` rows of an ``nn.EmbeddingBag`` (mean mode). A prompt
    without words (``''``) gets a learned empty embedding. No downloaded weights: it is trained
    with the fuser.

    Ref: the hashing trick (Weinberger et al., 2009); fastText's hashed n-gram bags
        (Joulin et al., 2017).

    Args:
        dim (int): Embedding dimension D. Defaults to 128.
        num_buckets (int): Rows of the hashed table. Defaults to 4096.
        ngrams (Sequence[int]): Word n-gram orders. Defaults to (1, 2).
    """

    def __init__(
        self, dim: int = 128, num_buckets: int = 4096, ngrams: Sequence[int] = (1, 2)
    ) -> None:
        super().__init__()
        if dim < 1 or num_buckets < 1 or not ngrams or min(ngrams) < 1:
            raise ValueError(f'bad HashedNgramTextEncoder args: {dim=}, {num_buckets=}, {ngrams=}')
        self.dim, self.num_buckets, self.ngrams = dim, num_buckets, tuple(ngrams)
        self.table = nn.EmbeddingBag(num_buckets, dim, mode='mean')
        self.empty = nn.Parameter(torch.randn(dim))

    def bucket_ids(self, prompt: str) -> list[int]:
        """The hashed bucket of every word n-gram of ``prompt`` (empty for no words)."""
        words = _WORD.findall(prompt.lower())
        ids = []
        for n in self.ngrams:
            for i in range(len(words) - n + 1):
                gram = f'{n}:' + ' '.join(words[i : i + n])
                ids.append(zlib.crc32(gram.encode('utf-8')) % self.num_buckets)
        return ids

    def forward(self, prompts: Sequence[str]) -> torch.Tensor:
        """(B,) prompts -> (B, dim)."""
        if isinstance(prompts, str):
            raise TypeError('HashedNgramTextEncoder takes a list of prompts, not one string')
        device = self.empty.device
        ids = [self.bucket_ids(p or '') for p in prompts]
        flat = torch.tensor([i for row in ids for i in row], dtype=torch.long, device=device)
        lengths = torch.tensor([len(row) for row in ids], dtype=torch.long, device=device)
        offsets = torch.cumsum(lengths, 0) - lengths
        out = self.table(flat, offsets)  # (B, dim), zeros for empty bags
        has_words = (lengths > 0)[:, None]
        return torch.where(has_words, out, self.empty.expand_as(out))

    def extra_repr(self) -> str:
        return f'dim={self.dim}, num_buckets={self.num_buckets}, ngrams={self.ngrams}'
