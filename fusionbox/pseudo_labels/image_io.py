"""Reading and writing the images of the pseudo-label pipeline (errors name the file)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import cv2
import numpy as np

from fusionbox.utils.io import atomic_path


def read_image(path) -> np.ndarray:
    """An image file as float32 ``(H, W, C)`` in [0, 1], C = 1 or 3 (RGB order).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not a readable image (the message names the file).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'image {path} does not exist')
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise ValueError(f'cannot read image {path}: not a readable image file')
    scale = 65535.0 if image.dtype == np.uint16 else 255.0
    image = image.astype(np.float32) / scale
    if image.ndim == 2:
        return image[..., None]
    if image.shape[2] == 4:
        image = image[..., :3]
    return image[..., ::-1].copy() if image.shape[2] == 3 else image[..., :1]


def read_sources(paths: Sequence) -> List[np.ndarray]:
    """Read the registered sources of one sample; they must share one size (else the error
    names both files)."""
    images = [read_image(p) for p in paths]
    ref = images[0].shape[:2]
    for path, image in zip(paths, images):
        if image.shape[:2] != ref:
            raise ValueError(
                f'source {path} is {image.shape[1]}x{image.shape[0]} but '
                f'{paths[0]} is {ref[1]}x{ref[0]}; sources must be registered '
                f'(same size)'
            )
    return images


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[0, 1] float image to uint8 BGR (or grey) for writing."""
    out = np.clip(np.round(np.asarray(image, np.float64) * 255), 0, 255).astype(np.uint8)
    if out.ndim == 3 and out.shape[2] == 3:
        out = out[..., ::-1]
    return np.ascontiguousarray(out)


def write_image(path, image: np.ndarray) -> None:
    """Write a [0, 1] grey (H, W) or RGB (H, W, 3) image atomically as an 8-bit file."""
    path = Path(path)
    ok, data = cv2.imencode(path.suffix or '.png', to_uint8(image))
    if not ok:
        raise OSError(f'could not encode image {path}')
    with atomic_path(path) as tmp:
        data.tofile(str(tmp))
