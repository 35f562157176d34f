"""No-reference statistics of the fused image: SD, SF, AG, EI.

Ref: Eskicioglu and Fisher, IEEE TCOM 1995 (SF); Cui et al., Optics Communications 2015 (AG);
Rajalingam and Priya, IJESI 2018 (EI).
"""

from __future__ import annotations

import numpy as np

from .base import (
    as_f32,
    as_f64,
    as_u8,
    define_metric,
    grey,
    matlab_round,
    mefb_channels,
    per_channel,
)
from .filters import SOBEL_Y, filter_same


# --- SD ----------------------------------------------------------------------------------------
def _sd_standard(fused, sources, gt):
    return np.std(as_f64(fused))


def _sd_cddfuse(fused, sources, gt):
    return np.std(as_f32(fused))  # float32 accumulation, as numpy does on float32 arrays


def _sd_tang(fused, sources, gt):
    # SD_evaluation on a uint8 image: (F - mean) and its square saturate to 0..255
    f = as_u8(fused)
    d = np.clip(matlab_round(f - f.mean()), 0, 255)
    return np.sqrt(np.minimum(d * d, 255).sum() / f.size)


SD = define_metric(
    'SD',
    True,
    {
        'standard': _sd_standard,
        'cddfuse': _sd_cddfuse,
        'vifb': per_channel(_sd_standard),
        'mefb': mefb_channels(_sd_standard),
        'tang': _sd_tang,
    },
    description='population standard deviation of the fused image ("Variance" in VIFB)',
    uses_sources=False,
)


# --- SF ----------------------------------------------------------------------------------------
def _sf(img):
    return np.sqrt(
        np.mean((img[:, 1:] - img[:, :-1]) ** 2) + np.mean((img[1:, :] - img[:-1, :]) ** 2)
    )


def _sf_vifb(fused, sources, gt):
    # metricsSpatial_frequency: [m, n] = size(fused) folds the channels of a colour image into
    # the columns (channels side by side) and both sums are divided by m * n.
    f = as_f64(fused)
    if f.ndim == 3:
        f = np.concatenate([f[..., k] for k in range(f.shape[2])], axis=1)
    rf = ((f[:, 1:] - f[:, :-1]) ** 2).sum() / f.size
    cf = ((f[1:, :] - f[:-1, :]) ** 2).sum() / f.size
    return np.sqrt(rf + cf)


SF = define_metric(
    'SF',
    True,
    {
        'standard': lambda f, s, g: _sf(as_f64(f)),
        'cddfuse': lambda f, s, g: _sf(as_f32(f)),
        'vifb': _sf_vifb,
        'mefb': mefb_channels(_sf_vifb),  # per channel, each divided by m n
        'tang': lambda f, s, g: _sf(as_f64(grey(f)) / 255.0),
    },
    description='spatial frequency sqrt(RF^2 + CF^2) of the fused image',
    min_size=2,
    size_note='row and column differences',
    uses_sources=False,
)


# --- AG ----------------------------------------------------------------------------------------
def _gradients(img):
    """Central differences inside, one-sided at the borders (MATLAB ``gradient``)."""
    gy, gx = np.gradient(img)
    return gx, gy


def _ag_standard(fused, sources, gt):
    gx, gy = _gradients(as_f64(fused))
    return np.mean(np.sqrt((gx**2 + gy**2) / 2))


def _ag_cddfuse(fused, sources, gt):
    img = as_f32(fused)
    gx, gy = np.zeros_like(img), np.zeros_like(img)
    gx[:, 0], gx[:, -1] = img[:, 1] - img[:, 0], img[:, -1] - img[:, -2]
    gx[:, 1:-1] = (img[:, 2:] - img[:, :-2]) / 2
    gy[0, :], gy[-1, :] = img[1, :] - img[0, :], img[-1, :] - img[-2, :]
    gy[1:-1, :] = (img[2:, :] - img[:-2, :]) / 2
    return np.mean(np.sqrt((gx**2 + gy**2) / 2))


def _ag_matlab(fused, sources, gt):
    # avg_gradient.m: the sum over all r x c pixels is divided by (r - 1)(c - 1)
    img = as_f64(fused)
    gx, gy = _gradients(img)
    r, c = img.shape
    return np.sqrt((gx**2 + gy**2) / 2).sum() / ((r - 1) * (c - 1))


AG = define_metric(
    'AG',
    True,
    {
        'standard': _ag_standard,
        'cddfuse': _ag_cddfuse,
        'vifb': per_channel(_ag_matlab),
        'mefb': mefb_channels(_ag_matlab),
        'tang': lambda f, s, g: _ag_matlab(grey(f), s, g),
    },
    description='average gradient sqrt((Gx^2 + Gy^2) / 2) of the fused image',
    min_size=2,
    size_note='finite-difference gradients',
    uses_sources=False,
)


# --- EI ----------------------------------------------------------------------------------------
def _ei(fused, sources, gt):
    img = as_f64(fused)
    gx = filter_same(img, SOBEL_Y, mode='nearest')  # imfilter(..., fspecial('sobel'), 'replicate')
    gy = filter_same(img, SOBEL_Y.T, mode='nearest')
    return np.mean(np.sqrt(gx * gx + gy * gy))


EI = define_metric(
    'EI',
    True,
    {'standard': _ei, 'vifb': per_channel(_ei), 'mefb': mefb_channels(_ei)},
    description='edge intensity: mean Sobel gradient magnitude (replicate borders)',
    uses_sources=False,
)
