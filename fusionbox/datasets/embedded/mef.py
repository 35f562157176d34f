"""Multi-exposure (MEF) generator: an exposure model with a camera response curve and noise.

Model: the well-exposed photograph is the ground truth, taken as ``I = f(E)`` for a random
monotone camera response curve ``f`` (a gamma curve blended with a sigmoid S-curve). Scene
irradiance is recovered as ``E = f^-1(I)`` (by a lookup table). Each source is a new capture
``f(clip((Poisson(E * t * W) + N(0, r^2)) / W, 0, 1))`` with an exposure time ``t`` of
``2^-ev`` (under-exposed) or ``2^+ev`` (over-exposed), full-well capacity ``W`` electrons
(shot noise), read noise ``r`` electrons and sensor saturation (clipping), quantised to 8 bits.

Not modelled: a true high dynamic range (the radiance range is the one of an 8-bit photograph,
so the under-exposed shot holds no detail that the ground truth lacks), camera or object motion
between shots (sources are perfectly registered), white-balance and tone changes between
exposures, demosaicing and JPEG artefacts.
"""

from __future__ import annotations

import numpy as np

from fusionbox.utils.image_io import to_uint8

from .common import COLOR_IMAGES, Sample, sample_crop

SOURCES = ('under', 'over')
BASE_IMAGES = COLOR_IMAGES + ('camera.png',)
_LUT = np.linspace(0.0, 1.0, 4097, dtype=np.float64)


def make_crf(rng: np.random.Generator):
    """A random monotone camera response curve ``f: [0, 1] -> [0, 1]`` and its inverse."""
    gamma = rng.uniform(1.8, 2.6)
    blend = rng.uniform(0.0, 0.5)
    steep = rng.uniform(4.0, 8.0)

    def crf(x: np.ndarray) -> np.ndarray:
        g = np.power(np.clip(x, 0, 1), 1.0 / gamma)
        s = 1 / (1 + np.exp(-steep * (g - 0.5)))
        s0, s1 = 1 / (1 + np.exp(steep * 0.5)), 1 / (1 + np.exp(-steep * 0.5))
        return (1 - blend) * g + blend * (s - s0) / (s1 - s0)

    curve = crf(_LUT)  # strictly increasing on [0, 1]

    def inverse(y: np.ndarray) -> np.ndarray:
        return np.interp(y, curve, _LUT)

    return crf, inverse


def capture(
    rng: np.random.Generator,
    irradiance: np.ndarray,
    exposure: float,
    crf,
    full_well: float,
    read_noise: float,
) -> np.ndarray:
    """Expose ``irradiance`` (relative, 1 = saturation at t = 1) for ``exposure``; 8-bit out."""
    electrons = rng.poisson(np.clip(irradiance * exposure, 0, 4) * full_well).astype(np.float64)
    electrons += rng.normal(0.0, read_noise, size=electrons.shape)
    raw = np.clip(electrons / full_well, 0.0, 1.0)  # saturation = clipping
    return to_uint8(crf(raw))


def generate(rng: np.random.Generator, split: str, size: int) -> Sample:
    """One MEF sample: sources (under-, over-exposed), gt (the well-exposed original)."""
    image, base = sample_crop(rng, BASE_IMAGES, split, size)
    crf, inverse = make_crf(rng)
    irradiance = inverse(image.astype(np.float64))
    full_well = rng.uniform(800.0, 4000.0)
    read_noise = rng.uniform(1.0, 6.0)
    ev_under, ev_over = rng.uniform(1.5, 3.0), rng.uniform(1.5, 3.0)
    under = capture(rng, irradiance, 2.0**-ev_under, crf, full_well, read_noise)
    over = capture(rng, irradiance, 2.0**ev_over, crf, full_well, read_noise)
    gt = to_uint8(image)  # the well-exposed original, I = f(E)
    return dict(
        sources=[under, over],
        gt=gt,
        mask=None,
        info=dict(base=base, ev=(-round(ev_under, 3), round(ev_over, 3))),
    )
