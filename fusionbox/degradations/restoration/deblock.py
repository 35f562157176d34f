"""JPEG deblocking: total-variation smoothing of the 8 x 8 block seams and ringing."""

from __future__ import annotations

from fusionbox.registry import RESTORERS

from .base import BaseRestorer


@RESTORERS.register_module()
class TVDeblock(BaseRestorer):
    """Total-variation denoising (``skimage.restoration.denoise_tv_chambolle``) as a JPEG
    post-filter: the block seams and ringing are small jumps that TV flattens while edges stay.

    Paper: Chambolle, "An algorithm for total variation minimization and applications", JMIV
    2004; TV post-processing of block transform coding, e.g. Alter, Durand and Froment, "Adapted
    total variation for artifact free decompression of JPEG images", JMIV 2005.

    Args:
        weight: TV weight (larger: smoother). Defaults to 0.04.
    """

    restores = ('JPEGCompression',)

    def __init__(self, weight: float = 0.04) -> None:
        self.weight = weight

    def restore(self, image):
        from skimage.restoration import denoise_tv_chambolle

        return denoise_tv_chambolle(image, weight=self.weight, channel_axis=2)
