"""Read images the way each protocol's evaluator reads them.

The bytes are decoded by FusionBox's one reader (:func:`fusionbox.utils.image_io.decode_raw`:
the stored 8-bit samples, the same pixels OpenCV gives, checked first: an empty, truncated or
corrupt file, or one above the pixel limit, raises an error naming the file); what each
protocol then does with them (grey conversion, dtype) is this module's.
"""

from __future__ import annotations

import numpy as np

from fusionbox.utils.errors import ImageReadError
from fusionbox.utils.image_io import decode_raw, read_image_bytes

from .functional.base import PROTOCOLS, protocol_image

#: dtype each protocol computes in (the others: uint8, as their evaluators read).
_DTYPES = {'standard': np.float64, 'cddfuse': np.float32}


def _imread(path) -> np.ndarray:
    """An 8-bit image, (H, W) grey or (H, W, 3) colour in RGB order, alpha dropped.

    Raises:
        FileNotFoundError: the file does not exist.
        ImageReadError: empty, truncated, corrupt, not an image, or not 8-bit (naming the file).
        ResourceLimitError: above the reader's pixel limit.
    """
    img = decode_raw(read_image_bytes(path), path)  # (H, W, 1 or 3), RGB
    if img.dtype != np.uint8:
        raise ImageReadError(
            f'cannot read image {path} for the metrics: only 8-bit images are supported, got '
            f'{img.dtype}'
        )
    return img[..., 0] if img.shape[2] == 1 else img  # (H, W) or (H, W, 3)


def to_protocol_array(img: np.ndarray, protocol: str) -> np.ndarray:
    """Convert a uint8 grey (H, W) or RGB (H, W, 3) image to what ``protocol`` computes on.

    * ``standard``: float64 grey; colour through BT.601 luma (unrounded).
    * ``cddfuse``: float32 grey, ``round(cvtColor(BGR2GRAY))`` on float32 (CDDFuse's
      ``image_read_cv2(path, 'GRAY')``).
    * ``vifb``, ``mefb``: uint8 as stored, colour kept (both evaluate colour per channel).
    * ``tang``: uint8 grey, MATLAB ``rgb2gray`` where there are three channels.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(
            f'unknown metric protocol {protocol!r}; expected one of ' f'{tuple(PROTOCOLS)}'
        )
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[2] != 3:
        img = img[..., 0]  # (H, W)
    image = protocol_image(img.astype(np.uint8), protocol)  # the metrics' own conversion
    return image.astype(_DTYPES.get(protocol, np.uint8), copy=False)


def read_for_protocol(path, protocol: str = 'standard') -> np.ndarray:
    """Read ``path`` (8-bit grey or colour) as ``protocol``'s evaluator does; see
    :func:`to_protocol_array`."""
    return to_protocol_array(_imread(path), protocol)


def from_unit_tensor(x, protocol: str = 'standard') -> np.ndarray:
    """A model output in [0, 1] (tensor or array, (1, H, W) / (H, W)) to ``protocol``'s input.

    ``standard`` keeps the float values (x 255); the published protocols first quantise to
    8 bits, as their evaluators read saved 8-bit images.
    """
    if hasattr(x, 'detach'):
        x = x.detach().cpu().float().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 3:
        x = x[0] if x.shape[0] == 1 else np.moveaxis(x, 0, -1)
    x = np.clip(x, 0.0, 1.0) * 255.0
    if protocol == 'standard':
        return x
    return to_protocol_array(np.round(x).astype(np.uint8), protocol)
