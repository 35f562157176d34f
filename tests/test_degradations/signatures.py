"""Measurements of the physical signatures the degradation tests check."""

import cv2
import numpy as np


def gradient_energy(image):
    """Mean squared finite-difference gradient of an (H, W, C) image."""
    gx = np.diff(image, axis=1)
    gy = np.diff(image, axis=0)
    return float((gx**2).mean() + (gy**2).mean())


def hf_energy(image):
    """Per-pixel energy of horizontal first differences / 2 (white noise of var s^2 adds s^2)."""
    return float((np.diff(image.astype(np.float64), axis=1) ** 2).mean() / 2)


def dark_channel(image, patch=15):
    """He et al.'s dark channel: min over colour channels, then a min filter."""
    kernel = np.ones((patch, patch), np.uint8)
    return cv2.erode(image.min(axis=2).astype(np.float32), kernel)
