"""Helpers for the dataset tests: tiny PNG folders written with mmcv."""

from pathlib import Path

import mmcv
import numpy as np
import pytest


def write_png(path: Path, image: np.ndarray) -> Path:
    """Write a uint8 image (H, W) or (H, W, 3) RGB with mmcv; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if image.ndim == 3:
        image = mmcv.rgb2bgr(image)
    assert mmcv.imwrite(image, str(path))
    return path


def random_image(rng, shape=(8, 10), channels=3) -> np.ndarray:
    shape = tuple(shape) + ((channels,) if channels > 1 else ())
    return rng.integers(0, 256, shape, dtype=np.uint8)


@pytest.fixture
def make_pairs(tmp_path):
    """Write ``<tmp>/<folder>/<stem>.png`` for each folder and stem; return the root."""

    def make(folders=('ir', 'vi'), stems=('a', 'b', 'c'), shape=(8, 10), gt=None):
        rng = np.random.default_rng(0)
        for folder in folders + ((gt,) if gt else ()):
            for stem in stems:
                channels = 1 if folder == 'ir' else 3
                write_png(tmp_path / folder / f'{stem}.png', random_image(rng, shape, channels))
        return tmp_path

    return make
