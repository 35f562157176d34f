"""Blur is a normalised PSF and lowers the gradient energy."""

import numpy as np
import pytest

from fusionbox.degradations import DefocusBlur, GaussianBlur, MotionBlur
from fusionbox.degradations.blur import disk_kernel, line_kernel, trajectory_kernel

from .signatures import gradient_energy


@pytest.mark.parametrize(
    'op',
    [GaussianBlur(sigma=2.0), MotionBlur(length=15.0), DefocusBlur(radius=3.0)],
    ids=lambda op: op.name,
)
@pytest.mark.parametrize('image_name', ['grey', 'color'])
def test_blur_lowers_gradient_energy_and_keeps_the_mean(op, image_name, request):
    image = request.getfixturevalue(image_name)
    out, _ = op.degrade(image, np.random.default_rng(0))
    assert gradient_energy(out) < 0.5 * gradient_energy(image)
    assert out.mean() == pytest.approx(image.mean(), abs=0.01)


def test_stronger_blur_lowers_gradient_energy_more(grey):
    rng = np.random.default_rng(0)
    energies = [gradient_energy(GaussianBlur(sigma=s).degrade(grey, rng)[0]) for s in (1, 2, 4)]
    assert energies[0] > energies[1] > energies[2]


def test_trajectory_kernels_are_normalised_random_paths():
    kernels = [trajectory_kernel(np.random.default_rng(s), 20.0, 0.01) for s in range(5)]
    for k in kernels:
        assert k.min() >= 0 and k.sum() == pytest.approx(1.0, abs=1e-5)
        assert k.shape[0] % 2 == 1 and k.shape[0] == k.shape[1]
    assert len({k.tobytes() for k in kernels}) == 5
    straight = trajectory_kernel(np.random.default_rng(0), 20.0, 0.0)
    ys, xs = np.nonzero(straight > 1e-4)
    extent = np.hypot(xs.max() - xs.min(), ys.max() - ys.min())
    assert 17 <= extent <= 23  # a straight path of length 20


def test_motion_blur_kernel_is_reproducible_from_params():
    op = MotionBlur()
    params = op.sample_params(np.random.default_rng(3), (32, 32, 1))
    assert np.array_equal(op.kernel(params), op.kernel(params))


def test_disk_and_line_kernels():
    disk = disk_kernel(3.0)
    assert disk.shape == (7, 7) and disk.sum() == pytest.approx(1.0, abs=1e-5)
    assert disk[3, 3] == pytest.approx(disk[3, 1], rel=1e-3) and disk[0, 0] == 0
    line = line_kernel(11.0, 0.0)  # vertical
    assert line.sum() == pytest.approx(1.0, abs=1e-5)
    assert line[:, line.shape[1] // 2].sum() > 0.99
