"""Colour handling in the pipeline: fuse the luma, carry the chroma (see ``utils/color.py``)."""

from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform

from fusionbox.registry import TRANSFORMS
from fusionbox.utils.color import fuse_chroma, rgb_to_ycbcr


def _split(image: np.ndarray):
    """(H, W, 3) RGB -> luma (H, W, 1) float32 and chroma (H, W, 2) float64."""
    ycc = rgb_to_ycbcr(image)  # (H, W, 3)
    return ycc[..., :1].astype(np.float32), ycc[..., 1:]


@TRANSFORMS.register_module()
class SourcesToYCbCr(BaseTransform):
    """Turn the sources (and gt, pseudo-label) into luma; keep the fused chroma.

    Colour sources (C = 3) become their BT.601 luma Y (H, W, 1); grey sources (C = 1) are kept.
    ``chroma`` (H, W, 2) float32 is the Cb/Cr of the colour sources fused by
    :func:`fusionbox.utils.color.fuse_chroma` (absent when every source is grey) and
    ``is_color`` says whether there was any. ``gt`` and ``pseudo_label`` become luma too.

    Required keys: ``sources``. Modified: ``sources``, ``gt``, ``pseudo_label``.
    Added: ``chroma`` (when colour), ``is_color``.
    """

    def transform(self, results: dict) -> dict:
        lumas, chromas = [], []
        for image in results['sources']:
            if image.shape[2] == 3:
                y, c = _split(image)
                lumas.append(y)
                chromas.append(c)
            elif image.shape[2] == 1:
                lumas.append(image.astype(np.float32))
            else:
                raise ValueError(f'a source has {image.shape[2]} channels; expected 1 or 3')
        results['sources'] = lumas
        results['is_color'] = bool(chromas)
        if chromas:
            results['chroma'] = fuse_chroma(chromas).astype(np.float32)  # (H, W, 2)
        else:
            results.pop('chroma', None)
        for key in ('gt', 'pseudo_label'):
            if key in results and results[key].shape[2] == 3:
                results[key] = _split(results[key])[0]
        return results
