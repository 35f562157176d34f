"""Infrared-visible (IVF) generator: a thermal simulation from the visible photograph.

Model, in the long-wave infrared:

* **scene segmentation**: the visible image is over-segmented (Felzenszwalb graph segmentation);
  1-3 compact regions that do not lie along the border become *warm objects* (people, engines,
  animals). Their instance masks (1..K, 0 = background) are kept in ``masks/``; their boxes
  (:func:`object_boxes`) are derived from those masks.
* **temperature**: the background sits at an ambient temperature plus *solar loading* (dark,
  low-albedo surfaces absorb more and run warmer) and a smooth random field; each warm object is
  8-22 K above ambient, warmest in its core (distance-transform profile); heat conduction
  smooths the map.
* **emissivity**: one value per segment (0.85-0.98, materials differ) plus a fine texture from the
  visible detail; radiance ``eps * T^4 + (1 - eps) * T_sky^4`` (Stefan-Boltzmann, with the sky
  reflected by low-emissivity surfaces).
* **sensor**: optical blur, a low-resolution focal plane (2-4x fewer pixels, upsampled back),
  automatic gain control (percentile stretch), fixed-pattern noise (column offsets, weaker row
  offsets, per-pixel gain non-uniformity) and temporal noise, 8-bit grey.

The visible source is the colour photograph itself. No ground truth.

Not modelled: real temperatures of the photographed objects (warm objects are chosen by shape,
not by what they are), atmospheric absorption, the spectral band of a real camera (T^4 stands for
the band radiance), parallax and misregistration between the two cameras, blooming and halo
artefacts of uncooled sensors.
"""

from __future__ import annotations

import cv2
import numpy as np

from fusionbox.utils.image_io import to_uint8

from .common import COLOR_IMAGES, Sample, gaussian, luma, sample_crop, smooth_field

SOURCES = ('ir', 'vi')
BASE_IMAGES = COLOR_IMAGES


def segment(image: np.ndarray) -> np.ndarray:
    """Felzenszwalb over-segmentation (H, W) int labels of an RGB float image."""
    from skimage.segmentation import felzenszwalb

    size = image.shape[0]
    return felzenszwalb(image, scale=size * 1.5, sigma=0.8, min_size=max(size * size // 200, 8))


def warm_objects(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Pick 1-3 compact, mostly interior segments as warm objects; (H, W) uint8 instance ids."""
    h, w = labels.shape
    area = np.bincount(labels.ravel())
    border = np.zeros_like(area)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        border += np.bincount(edge, minlength=len(area))
    frac = area / (h * w)
    candidates = np.flatnonzero((frac > 0.01) & (frac < 0.25) & (border < 0.25 * np.sqrt(area)))
    if candidates.size == 0:  # fall back to any mid-sized segment, then to a central blob
        candidates = np.flatnonzero((frac > 0.005) & (frac < 0.4))
    mask = np.zeros((h, w), np.uint8)
    if candidates.size == 0:
        cv2.ellipse(mask, (w // 2, h // 2), (w // 6, h // 4), 0, 0, 360, 1, -1)
        return mask
    k = int(min(rng.integers(1, 4), candidates.size))
    for i, label in enumerate(rng.choice(candidates, size=k, replace=False), start=1):
        mask[labels == label] = i
    return mask


def object_boxes(mask: np.ndarray) -> np.ndarray:
    """Pixel boxes ``(K, 4)`` ``x1, y1, x2, y2`` (float64; corners, so one pixel is 1 wide) of
    the instances 1..K of an instance mask; row k-1 is instance k (zeros when it is empty)."""
    boxes = np.zeros((int(mask.max()), 4))
    for i in range(1, boxes.shape[0] + 1):
        ys, xs = np.nonzero(mask == i)
        if xs.size:
            boxes[i - 1] = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return boxes


def temperature(rng: np.random.Generator, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Temperature map (H, W) in kelvin: ambient + solar loading + warm objects, diffused."""
    size = mask.shape[0]
    ambient = rng.uniform(275.0, 300.0)
    albedo = gaussian(luma(image), size / 64)
    temp = ambient + rng.uniform(3.0, 12.0) * (1 - albedo) + 2.0 * smooth_field(rng, size)
    for i in range(1, int(mask.max()) + 1):
        inside = (mask == i).astype(np.uint8)
        if not inside.any():
            continue
        dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
        core = dist / max(float(dist.max()), 1e-6)  # 0 at the edge, 1 at the core
        hot = ambient + rng.uniform(8.0, 22.0)
        temp = np.where(inside > 0, hot - 3.0 * (1 - core), temp)
    return gaussian(temp.astype(np.float32), 0.7 * size / 128)


def thermal_sensor(rng: np.random.Generator, radiance: np.ndarray) -> np.ndarray:
    """Optics, a low-resolution focal plane, AGC and fixed-pattern noise; float (H, W)."""
    size = radiance.shape[0]
    blurred = gaussian(radiance, rng.uniform(0.6, 1.4) * size / 128)
    low = max(size // int(rng.integers(2, 5)), 8)
    small = cv2.resize(blurred, (low, low), interpolation=cv2.INTER_AREA)
    image = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR)
    lo, hi = np.percentile(image, (0.5, 99.5))
    image = (image - lo) / max(hi - lo, 1e-6)  # automatic gain control
    gain = rng.normal(1.0, 0.01, image.shape)  # per-pixel response non-uniformity
    column = rng.normal(0.0, rng.uniform(0.01, 0.04), (1, size))  # column offsets (readout)
    row = rng.normal(0.0, 0.005, (size, 1))
    noise = rng.normal(0.0, rng.uniform(0.005, 0.02), image.shape)
    return image * gain + column + row + noise


def generate(rng: np.random.Generator, split: str, size: int) -> Sample:
    """One IVF sample: sources (thermal ir grey, visible colour), warm-object instance masks
    and their boxes."""
    visible, base = sample_crop(rng, BASE_IMAGES, split, size)
    labels = segment(visible)
    mask = warm_objects(rng, labels)
    temp = temperature(rng, visible, mask)
    eps_seg = rng.uniform(0.85, 0.98, labels.max() + 1)[labels]  # per-material emissivity
    detail = luma(visible) - gaussian(luma(visible), 2.0)
    eps = np.clip(eps_seg + 0.05 * detail, 0.8, 0.99)
    eps = np.where(mask > 0, 0.98, eps)  # skin / painted surfaces
    sky = temp.min() - 20.0
    radiance = eps * temp**4 + (1 - eps) * sky**4  # Stefan-Boltzmann, arbitrary units
    radiance = (radiance / radiance.max()).astype(np.float32)
    thermal = thermal_sensor(rng, radiance)
    return dict(
        sources=[to_uint8(thermal), to_uint8(visible)],
        gt=None,
        mask=mask,
        boxes=object_boxes(mask),
        info=dict(base=base, objects=int(mask.max())),
    )
