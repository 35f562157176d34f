"""Medical (MIF) generator: an MRI-like slice and a PET/SPECT-like pseudo-colour uptake map.

Source volumes: nilearn's MNI152 (2009) T1 template and its grey- and white-matter probability
maps, which ship inside the nilearn package (``load_mni152_template``, ``load_mni152_gm_template``,
``load_mni152_wm_template``; nothing is downloaded). Train, val and test use **disjoint slabs**
of axial slices: the slices are grouped in blocks of 8, blocks rotate train, train, val, test,
and the first and last slice of each block are dropped so neighbouring splits never share a
slice or its direct neighbour.

Model:

* **structural (MRI-like, grey)**: the T1 slice, intensity-normalised, with a random contrast
  gamma and Rician noise (the magnitude of complex Gaussian noise).
* **functional (PET/SPECT-like, colour)**: tracer uptake ``gm + b * wm + c * csf`` (grey matter
  takes up FDG-like tracers 3-4x more than white matter), modulated by a smooth regional field
  and 0-2 focal hot or cold lesions, blurred by the scanner PSF (FWHM about 6 mm for PET-like,
  10 mm for SPECT-like), sampled on a coarse grid, with Poisson counting noise, then shown
  through a pseudo-colour lookup table (``hot`` or ``rainbow``), as the Harvard atlas images are.

Not modelled: attenuation and scatter, partial-volume correction, real pathologies, CT
(bone and air contrast), MRI bias fields and other sequences (T2, FLAIR), misregistration
between the modalities. No ground truth.
"""

from __future__ import annotations

from functools import lru_cache
from typing import List, Tuple

import cv2
import numpy as np

from fusionbox.utils.image_io import to_uint8

from .common import SPLITS, Sample, gaussian, smooth_field

SOURCES = ('func', 'mri')
_BLOCK = 8
#: Pseudo-colour lookup tables: anchor colours (RGB in [0, 1]) at evenly spaced values.
COLORMAPS = {
    'hot': ((0, 0, 0), (0.6, 0, 0), (1, 0.3, 0), (1, 0.8, 0.1), (1, 1, 1)),
    'rainbow': ((0, 0, 0), (0.1, 0, 0.6), (0, 0.5, 1), (0, 0.9, 0.3), (1, 0.9, 0), (1, 0.1, 0)),
}


@lru_cache(maxsize=1)
def load_volumes() -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The MNI152 T1, grey- and white-matter volumes (X, Y, Z) float32, 1 mm, from nilearn."""
    from nilearn import datasets

    vols = []
    for loader in (
        datasets.load_mni152_template,
        datasets.load_mni152_gm_template,
        datasets.load_mni152_wm_template,
    ):
        vol = np.asarray(loader().get_fdata(dtype=np.float32))
        vols.append(vol / max(float(np.percentile(vol, 99.9)), 1e-6))
    return tuple(vols)


def split_slices(brain: np.ndarray, split: str) -> List[int]:
    """Axial slice indices of ``split``: well inside the brain, in disjoint blocks of 8."""
    area = (brain > 0.2).sum(axis=(0, 1))  # brain voxels per axial slice
    keep = np.flatnonzero(area > 0.35 * area.max())
    want = {'train': (0, 1), 'val': (2,), 'test': (3,)}[split]
    return [int(z) for z in keep if (z // _BLOCK) % 4 in want and z % _BLOCK not in (0, _BLOCK - 1)]


def pseudo_color(values: np.ndarray, name: str) -> np.ndarray:
    """Map values (H, W) in [0, 1] through a lookup table -> (H, W, 3) RGB in [0, 1]."""
    anchors = np.asarray(COLORMAPS[name], dtype=np.float32)
    xs = np.linspace(0.0, 1.0, len(anchors))
    return np.stack([np.interp(values, xs, anchors[:, c]) for c in range(3)], axis=-1)


def _slice(vol: np.ndarray, z: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(vol[:, :, z]))  # (Y, X), anterior at the top


def _geometry(rng: np.random.Generator, shape: Tuple[int, int], size: int) -> np.ndarray:
    """A random similarity (rotation +-10 deg, scale, shift) to a size x size square (2x3)."""
    h, w = shape
    scale = size / max(h, w) * rng.uniform(0.95, 1.15)
    mat = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-10, 10), scale)
    mat[:, 2] += np.array([size / 2 - w / 2, size / 2 - h / 2]) + rng.uniform(-3, 3, 2)
    return mat


def generate(rng: np.random.Generator, split: str, size: int) -> Sample:
    """One MIF sample: sources (functional pseudo-colour, structural grey MRI-like)."""
    if split not in SPLITS:
        raise ValueError(f'unknown split {split!r}')
    t1, gm, wm = load_volumes()
    slices = split_slices(gm + wm, split)
    z = slices[int(rng.integers(len(slices)))]
    t1s, gms, wms = (_slice(v, z) for v in (t1, gm, wm))
    brain = np.clip(gms + wms, 0, 1)
    csf = np.clip(gaussian(brain, 3.0) - brain, 0, 1)  # sulci and ventricle rims, roughly
    spect = rng.random() < 0.5
    # tracer uptake at 1 mm
    uptake = gms + rng.uniform(0.25, 0.35) * wms + rng.uniform(0.0, 0.08) * csf
    uptake = uptake * (0.75 + 0.5 * cv2.resize(smooth_field(rng, 16), uptake.shape[::-1]))
    for _ in range(int(rng.integers(0, 3))):  # focal lesions, hot or cold
        ys, xs = np.nonzero(brain > 0.5)
        k = int(rng.integers(len(ys)))
        yy, xx = np.mgrid[0 : uptake.shape[0], 0 : uptake.shape[1]]
        blob = np.exp(-((yy - ys[k]) ** 2 + (xx - xs[k]) ** 2) / (2 * rng.uniform(3, 8) ** 2))
        uptake = uptake * (1 + rng.choice([-0.7, 1.0]) * blob * brain)
    fwhm = rng.uniform(8, 12) if spect else rng.uniform(5, 7)  # mm = voxels
    uptake = gaussian(uptake.astype(np.float32), fwhm / 2.355)
    coarse = int(rng.integers(48, 64) if spect else rng.integers(72, 96))
    shape = uptake.shape[::-1]
    uptake = cv2.resize(
        cv2.resize(uptake, (coarse, coarse), interpolation=cv2.INTER_AREA),
        shape,
        interpolation=cv2.INTER_LINEAR,
    )
    counts = rng.uniform(150, 400)
    uptake = rng.poisson(np.clip(uptake, 0, None) / max(uptake.max(), 1e-6) * counts) / counts
    func = pseudo_color(
        np.clip(gaussian(uptake.astype(np.float32), 0.8), 0, 1),
        'rainbow' if spect or rng.random() < 0.5 else 'hot',
    )
    # structural: contrast gamma + Rician noise
    mri = np.power(np.clip(t1s, 0, 1), rng.uniform(0.8, 1.25))
    sigma = rng.uniform(0.005, 0.025)
    mri = np.hypot(mri + rng.normal(0, sigma, mri.shape), rng.normal(0, sigma, mri.shape))
    mat = _geometry(rng, t1s.shape, size)

    def warp(img):
        return cv2.warpAffine(
            img.astype(np.float32),
            mat,
            (size, size),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0,
        )

    return dict(
        sources=[to_uint8(warp(func)), to_uint8(warp(mri))],
        gt=None,
        mask=None,
        info=dict(slice=z, kind='spect' if spect else 'pet'),
    )
