"""Multi-focus (MFF) generator: complementary depth-dependent defocus of an all-in-focus image.

Model: a smooth random depth map (a coarse random field plus a ground-plane ramp) is split at its
median into a near and a far region. The *near* source is focused on the near region, the *far*
source on the far region; away from its focal region each source is blurred with a Gaussian PSF
whose width grows with the depth distance to the focal region (thin-lens circle of confusion, up
to ``max_sigma`` pixels), so blur changes smoothly across depth edges. The ground truth is the
all-in-focus original; ``masks/`` holds the focus map (1 where the near source is in focus).

Not modelled: occlusion (partial-occlusion halos at depth edges), focus breathing
(magnification change), disc/polygonal aperture bokeh and lens aberrations, sensor noise.
"""

from __future__ import annotations

import numpy as np

from fusionbox.utils.image_io import to_uint8

from .common import COLOR_IMAGES, GREY_IMAGES, Sample, gaussian, sample_crop, smooth_field

SOURCES = ('near', 'far')
BASE_IMAGES = COLOR_IMAGES + GREY_IMAGES[:2]  # photographs (textures are too flat in depth)
_LEVELS = 7  # blur levels between which the per-pixel PSF is interpolated


def depth_map(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth random depth map (size, size) in [0, 1]: random field + a random-slope ramp."""
    field = smooth_field(rng, size, cells=int(rng.integers(2, 5)))
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1)
    ramp = np.cos(angle) * xx + np.sin(angle) * yy
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    weight = rng.uniform(0.2, 0.6)
    return ((1 - weight) * field + weight * ramp).astype(np.float32)


def variable_blur(image: np.ndarray, sigma: np.ndarray, max_sigma: float) -> np.ndarray:
    """Blur ``image`` with a per-pixel Gaussian width ``sigma`` (H, W) in [0, max_sigma].

    A stack of uniformly blurred copies is interpolated linearly per pixel (layered defocus).
    """
    levels = np.linspace(0.0, max_sigma, _LEVELS)
    stack = np.stack([gaussian(image, s) for s in levels])  # (L, H, W[, C])
    pos = np.clip(sigma / max_sigma * (_LEVELS - 1), 0, _LEVELS - 1)  # (H, W)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, _LEVELS - 1)
    frac = (pos - lo).astype(np.float32)
    rows, cols = np.indices(sigma.shape)
    if image.ndim == 3:
        frac = frac[..., None]
    return (1 - frac) * stack[lo, rows, cols] + frac * stack[hi, rows, cols]


def generate(rng: np.random.Generator, split: str, size: int) -> Sample:
    """One MFF sample: sources (near-focused, far-focused), gt (all in focus), focus mask."""
    sharp, base = sample_crop(rng, BASE_IMAGES, split, size)
    depth = depth_map(rng, size)
    threshold = float(np.median(depth))
    width = rng.uniform(0.05, 0.2)  # depth distance over which blur reaches its maximum
    max_sigma = rng.uniform(1.5, 3.5) * size / 128
    near_sigma = max_sigma * np.clip((depth - threshold) / width, 0, 1)  # far region blurred
    far_sigma = max_sigma * np.clip((threshold - depth) / width, 0, 1)  # near region blurred
    near = variable_blur(sharp, near_sigma, max_sigma)
    far = variable_blur(sharp, far_sigma, max_sigma)
    mask = (depth <= threshold).astype(np.uint8)  # 1 = the near source is in focus
    return dict(
        sources=[to_uint8(near), to_uint8(far)],
        gt=to_uint8(sharp),
        mask=mask,
        info=dict(base=base, max_sigma=round(float(max_sigma), 3)),
    )
