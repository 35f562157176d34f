"""Building blocks shared by the transformer backbones (``DiT``, ``MoEDiT``).

Nothing here is registered: these are plain ``nn.Module`` s and functions composed by the
registered backbones in :mod:`fusionbox.models.backbones`.
"""

from .adaln import AdaLNModulation, modulate
from .attention import Attention, apply_rope, rope_2d
from .embeddings import LearnedPosEmbed, SourceTokenizer, sincos_pos_embed_2d, unpatchify
from .ffn import GLU, Mlp, MoEGLU, load_balance_loss
from .naf import NAFConvBlock, SimpleGate

__all__ = [
    'GLU',
    'AdaLNModulation',
    'Attention',
    'LearnedPosEmbed',
    'Mlp',
    'MoEGLU',
    'NAFConvBlock',
    'SimpleGate',
    'SourceTokenizer',
    'apply_rope',
    'load_balance_loss',
    'modulate',
    'rope_2d',
    'sincos_pos_embed_2d',
    'unpatchify',
]
