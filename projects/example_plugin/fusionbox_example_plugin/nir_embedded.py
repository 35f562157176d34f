"""The embedded NIR-RGB generator: pairs made from the colour sample images of scikit-image.

Model: the clean photograph is the scene. The RGB source is seen through haze (an atmospheric
scattering model ``I = J t + A (1 - t)`` with a smooth transmission ``t``); the NIR source sees
through it almost unattenuated (longer wavelength, ``t ** 0.2``) and renders green vegetation
bright (an NDVI-like boost of the green channel over the red), without colour.

Not modelled: the NIR sensor's lower resolution and noise, misregistration between the cameras.
"""

from __future__ import annotations

import numpy as np

from fusionbox.datasets.embedded.common import COLOR_IMAGES, Sample, sample_crop, smooth_field
from fusionbox.utils.image_io import to_uint8

SOURCES = ('nir', 'rgb')


def generate(rng: np.random.Generator, split: str, size: int) -> Sample:
    """One NIR-RGB sample: sources (NIR grey (H, W), hazy RGB (H, W, 3)), no ground truth."""
    scene, base = sample_crop(rng, COLOR_IMAGES, split, size)  # (H, W, 3) in [0, 1]
    r, g, b = scene[..., 0], scene[..., 1], scene[..., 2]
    vegetation = np.clip(g - np.maximum(r, b), 0, 1)  # green over red and blue
    nir_gain = rng.uniform(0.5, 1.0)
    nir = np.clip(0.6 * r + 0.3 * g + 0.1 * b + nir_gain * vegetation, 0, 1)
    density = rng.uniform(0.4, 0.8)
    transmission = 1.0 - density * smooth_field(rng, size)  # (H, W) in [1 - density, 1]
    airlight = rng.uniform(0.75, 0.95)
    hazy = scene * transmission[..., None] + airlight * (1 - transmission[..., None])
    nir = nir * transmission**0.2 + airlight * (1 - transmission**0.2)
    return dict(
        sources=[to_uint8(nir), to_uint8(hazy)],
        gt=None,
        mask=None,
        info=dict(base=base, haze=round(density, 3), nir_gain=round(nir_gain, 3)),
    )
