"""Tiny synthetic inputs shared by the pseudo-label tests."""

import cv2
import numpy as np
import pytest


def texture(h=64, w=64, seed=0):
    """A deterministic textured image in [0, 1] (smooth blobs plus fine texture)."""
    rng = np.random.default_rng(seed)
    coarse = cv2.resize(
        rng.random((h // 8, w // 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    fine = rng.random((h, w)).astype(np.float32)
    return np.clip(0.6 * coarse + 0.4 * fine, 0, 1).astype(np.float32)


@pytest.fixture
def tex():
    return texture()


@pytest.fixture
def focus_pair():
    """(in-focus truth, A sharp on the left, B sharp on the right)."""
    truth = texture(64, 64, seed=3)
    blurred = cv2.GaussianBlur(truth, (0, 0), 2.5)
    a, b = truth.copy(), truth.copy()
    a[:, 32:] = blurred[:, 32:]
    b[:, :32] = blurred[:, :32]
    return truth, a[..., None], b[..., None]
