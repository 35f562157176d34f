"""Test images for the degradation tests: real photographs shipped with scikit-image."""

import cv2
import numpy as np
import pytest


def _camera(size=(128, 160)):
    from skimage import data

    image = data.camera().astype(np.float32) / 255.0  # (512, 512) grey
    return cv2.resize(image, size[::-1], interpolation=cv2.INTER_AREA)[..., None]


@pytest.fixture(scope='session')
def grey():
    """A natural grey image (128, 160, 1) float32 in [0, 1]."""
    return _camera()


@pytest.fixture(scope='session')
def color():
    """A natural colour image (128, 160, 3) float32 in [0, 1]."""
    from skimage import data

    image = data.astronaut().astype(np.float32) / 255.0
    return cv2.resize(image, (160, 128), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope='session')
def smooth():
    """A smooth grey image in [0.25, 0.75] (no clipping under moderate noise), (128, 160, 1)."""
    image = cv2.GaussianBlur(_camera(), (0, 0), 3.0)[..., None]
    return (0.25 + 0.5 * image).astype(np.float32)
