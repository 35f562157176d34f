"""Physical signatures of the embedded generators (in memory, no disk)."""

import cv2
import numpy as np
import pytest

from fusionbox.datasets.embedded import ivf, mef, mff, mif
from fusionbox.datasets.embedded.common import SPLITS, split_cells

SIZE = 96


def _samples(module, n=4, split='train'):
    return [module.generate(np.random.default_rng([7, i]), split, SIZE) for i in range(n)]


def _grey(image):
    image = image.astype(np.float32) / 255
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _sharpness(image, region):
    lap = cv2.Laplacian(_grey(image), cv2.CV_32F)
    return float((lap[region] ** 2).mean())


def test_split_cells_partition_each_image():
    for idx in range(5):
        cells = [c for s in SPLITS for c in split_cells((100, 120), idx, s)]
        assert len(cells) == len(set(cells)) == 4
        assert len(split_cells((100, 120), idx, 'train')) == 2


def test_mif_split_slices_disjoint_with_gaps():
    t1, gm, wm = mif.load_volumes()
    slices = {s: set(mif.split_slices(gm + wm, s)) for s in SPLITS}
    assert all(slices.values())
    for a in SPLITS:
        for b in SPLITS:
            if a != b:  # no shared slice, no direct neighbour
                assert not {z + d for z in slices[a] for d in (-1, 0, 1)} & slices[b]


def test_mff_sources_blurred_where_defocused():
    for s in _samples(mff):
        near, far = s['sources']
        focus = s['mask'].astype(bool)  # True: the near source is in focus
        assert 0.1 < focus.mean() < 0.9
        assert _sharpness(near, ~focus) < 0.8 * _sharpness(s['gt'], ~focus)
        assert _sharpness(far, focus) < 0.8 * _sharpness(s['gt'], focus)
        # in its focal region a source keeps the ground truth
        assert np.abs(near.astype(int) - s['gt'])[focus].mean() < 2.0


def test_mef_exposure_order_and_clipping():
    for s in _samples(mef):
        under, over = s['sources']
        assert under.mean() < s['gt'].mean() < over.mean()
        assert (over == 255).mean() > 0.01  # saturation
        assert under.shape == over.shape == s['gt'].shape


def test_ivf_warm_objects():
    for s in _samples(ivf):
        thermal, visible = s['sources']
        assert thermal.ndim == 2 and visible.ndim == 3
        objects = s['mask'] > 0
        assert objects.any() and not objects.all()
        assert thermal[objects].mean() > thermal[~objects].mean() + 20
        assert s['mask'].dtype == np.uint8 and s['mask'].max() <= 3


@pytest.mark.parametrize('split', SPLITS)
def test_mif_modalities(split):
    for s in _samples(mif, n=2, split=split):
        func, mri = s['sources']
        assert func.shape == (SIZE, SIZE, 3) and mri.shape == (SIZE, SIZE)
        assert np.ptp(func.astype(int), axis=2).mean() > 5  # pseudo-colour, not grey
        brain = cv2.GaussianBlur(mri, (0, 0), 2) > 40
        assert func.max(axis=2)[brain].mean() > 3 * func.max(axis=2)[~brain].mean()
