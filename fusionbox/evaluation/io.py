"""Read images the way each protocol's evaluator reads them.

The bytes are decoded by FusionBox's one reader (:func:`fusionbox.utils.image_io.decode_raw`:
the stored 8-bit samples, the same pixels OpenCV gives, checked first: an empty, truncated or
corrupt file, or one above the pixel limit, raises an error naming the file); what each
protocol then does with them (grey conversion, dtype) is this module's.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fusionbox.utils.errors import ImageReadError
from fusionbox.utils.image_io import decode_raw, read_image_bytes

from .functional.base import PROTOCOLS, matlab_rgb2gray


def _imread(path, rgb: bool = True) -> np.ndarray:
    """An 8-bit image, (H, W) grey or (H, W, 3) colour in RGB order (BGR with ``rgb=False``),
    alpha dropped.

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
    img = img[..., 0] if img.shape[2] == 1 else img  # (H, W) or (H, W, 3)
    if img.ndim == 3 and not rgb:
        img = img[..., ::-1]  # RGB -> BGR
    return np.ascontiguousarray(img)


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
    colour = img.ndim == 3 and img.shape[2] == 3
    if img.ndim == 3 and not colour:
        img = img[..., 0]
    if protocol in ('vifb', 'mefb'):
        return img.astype(np.uint8)
    if protocol == 'tang':
        return matlab_rgb2gray(img.astype(np.uint8)) if colour else img.astype(np.uint8)
    if protocol == 'cddfuse':
        return _cddfuse_grey(np.ascontiguousarray(img[..., ::-1]) if colour else img)
    if colour:
        return img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    return img.astype(np.float64)


def read_for_protocol(path, protocol: str = 'standard') -> np.ndarray:
    """Read ``path`` (8-bit grey or colour) as ``protocol``'s evaluator does; see
    :func:`to_protocol_array`."""
    if protocol == 'cddfuse':  # straight from OpenCV's BGR order, as the evaluator
        return _cddfuse_grey(_imread(Path(path), rgb=False))
    return to_protocol_array(_imread(Path(path)), protocol)


def _cddfuse_grey(img: np.ndarray) -> np.ndarray:
    """CDDFuse's ``image_read_cv2(path, 'GRAY')`` on a decoded image (BGR order when colour):
    float32, ``round(cvtColor(BGR2GRAY))``."""
    if img.ndim == 3 and img.shape[2] == 3:
        return np.round(cv2.cvtColor(img.astype(np.float32), cv2.COLOR_BGR2GRAY))
    return (img[..., 0] if img.ndim == 3 else img).astype(np.float32)


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
