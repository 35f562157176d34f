"""Shared pieces of the embedded benchmark: base images, disjoint split crops, small helpers.

Base images are the sample images inside the installed scikit-image wheel (read straight from
its ``skimage/data`` folder, so nothing is ever fetched: scikit-image's pooch downloads are never
triggered). Train, val and test come from **disjoint crops**: every base image is cut into a 2x2
grid of cells; train samples crop inside two of the cells, val inside a third and test inside
the fourth, the assignment rotating with the image so that every split sees every base image.
The cell assignment does not depend on the seed, so splits stay disjoint across seeds too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

#: The splits, in the order used to seed their random generators.
SPLITS = ('train', 'val', 'test')

#: Natural colour photographs shipped inside scikit-image (file names in ``skimage/data``).
COLOR_IMAGES = ('astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png')
#: Natural grey photographs and textures shipped inside scikit-image.
GREY_IMAGES = ('camera.png', 'coins.png', 'brick.png', 'grass.png', 'gravel.png')

# cell (row, col) of the 2x2 grid -> split, before rotation by the image index
_CELL_SPLIT = ('train', 'train', 'val', 'test')


def skimage_data_dir() -> Path:
    """The ``data`` folder inside the installed scikit-image package."""
    import skimage

    return Path(skimage.__file__).resolve().parent / 'data'


@cache
def load_base_image(name: str) -> np.ndarray:
    """Read a scikit-image sample image as float32 in [0, 1]: (H, W, 3) RGB or (H, W) grey.

    Raises:
        FileNotFoundError: naming the file when the installed wheel does not ship it.
    """
    path = skimage_data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f'scikit-image sample image {path} is missing; the embedded benchmark needs the '
            'images that the scikit-image wheel ships'
        )
    with Image.open(path) as pil:  # PIL: no libpng warnings on their ICC profiles
        mode = 'L' if pil.mode in ('1', 'L', 'I;16', 'I') else 'RGB'
        image = np.asarray(pil.convert(mode), dtype=np.float32) / 255.0
    image.setflags(write=False)
    return image


def split_cells(shape: Tuple[int, int], image_idx: int, split: str) -> List[Tuple[int, ...]]:
    """The grid cells ``(y0, y1, x0, x1)`` of an image of ``shape`` that belong to ``split``."""
    h, w = shape
    cells = [
        (0, h // 2, 0, w // 2),
        (0, h // 2, w // 2, w),
        (h // 2, h, 0, w // 2),
        (h // 2, h, w // 2, w),
    ]
    return [c for k, c in enumerate(cells) if _CELL_SPLIT[(k + image_idx) % 4] == split]


def sample_crop(
    rng: np.random.Generator, names: Sequence[str], split: str, size: int
) -> Tuple[np.ndarray, str]:
    """A random square crop of a random base image, inside the cells of ``split``.

    Returns:
        The crop resized to (size, size[, 3]) float32 in [0, 1], and the base image name.
    """
    idx = int(rng.integers(len(names)))
    image = load_base_image(names[idx])
    cells = split_cells(image.shape[:2], idx, split)
    y0, y1, x0, x1 = cells[int(rng.integers(len(cells)))]
    short = min(y1 - y0, x1 - x0)
    side = int(rng.integers(max(short * 3 // 5, min(short, 48)), short + 1))
    top = y0 + int(rng.integers(y1 - y0 - side + 1))
    left = x0 + int(rng.integers(x1 - x0 - side + 1))
    crop = image[top : top + side, left : left + side]
    interp = cv2.INTER_AREA if side >= size else cv2.INTER_CUBIC
    crop = cv2.resize(crop, (size, size), interpolation=interp)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return np.clip(np.ascontiguousarray(crop), 0, 1).astype(np.float32), names[idx]


def smooth_field(rng: np.random.Generator, size: int, cells: int = 4) -> np.ndarray:
    """A smooth random field (size, size) in [0, 1]: cubic upsampling of a coarse noise grid."""
    coarse = rng.random((cells + 1, cells + 1)).astype(np.float32)
    field = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    field -= field.min()
    return field / max(float(field.max()), 1e-6)


def luma(image: np.ndarray) -> np.ndarray:
    """BT.601 luma (H, W) of an RGB (H, W, 3) or grey (H, W) float image."""
    if image.ndim == 2:
        return image
    return image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def gaussian(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with standard deviation ``sigma`` pixels (identity for sigma <= 0)."""
    if sigma <= 1e-3:
        return image
    return cv2.GaussianBlur(image, (0, 0), sigmaX=float(sigma), borderType=cv2.BORDER_REFLECT)


#: What a generator returns for one sample (uint8 images; RGB order for colour).
Sample = Dict[str, object]
