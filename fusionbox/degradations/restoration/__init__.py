"""Training-free restoration operators (registry RESTORERS), one per degradation, and the
restore-then-fuse cascade built from them.

One family per module: :mod:`.denoise` (non-local means, bilateral), :mod:`.deblur`
(Richardson-Lucy, Wiener), :mod:`.dehaze` (dark channel prior), :mod:`.exposure` (adaptive
gamma, CLAHE), :mod:`.destripe` (infrared column stripes), :mod:`.deblock` (JPEG, total
variation), :mod:`.weather` (rain, snow); :mod:`.cascade` chooses them by the degradation record
and fuses with a prior. A plugin adds a (learned) restorer by registering a
:class:`BaseRestorer` subclass with ``restores`` and a higher ``priority``.
"""

from .base import BaseRestorer, restorer_for
from .cascade import RestoreThenFuse, best_priors
from .deblock import TVDeblock
from .deblur import RichardsonLucyDeblur, WienerDeblur
from .dehaze import DarkChannelDehaze
from .denoise import BilateralDenoise, NonLocalMeansDenoise
from .destripe import ColumnDestripe
from .exposure import AdaptiveGamma, CLAHEContrast
from .weather import MedianRainRemoval, MedianSnowRemoval

__all__ = [
    'AdaptiveGamma',
    'best_priors',
    'BaseRestorer',
    'BilateralDenoise',
    'CLAHEContrast',
    'ColumnDestripe',
    'DarkChannelDehaze',
    'MedianRainRemoval',
    'MedianSnowRemoval',
    'NonLocalMeansDenoise',
    'RestoreThenFuse',
    'RichardsonLucyDeblur',
    'TVDeblock',
    'WienerDeblur',
    'restorer_for',
]
