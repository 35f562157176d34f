"""Noise raises the high-frequency energy by the configured variance; shot noise grows with
the signal."""

import numpy as np
import pytest

from fusionbox.degradations import GaussianNoise, PoissonNoise

from .signatures import hf_energy


@pytest.mark.parametrize('sigma', [0.02, 0.05])
def test_gaussian_noise_adds_its_variance_to_high_frequencies(smooth, sigma):
    out, params = GaussianNoise(sigma=sigma).degrade(smooth, np.random.default_rng(0))
    assert params == {'sigma': sigma}
    added = hf_energy(out) - hf_energy(smooth)
    assert added == pytest.approx(sigma**2, rel=0.1)
    assert float((out - smooth).mean()) == pytest.approx(0.0, abs=sigma / 20)  # zero-mean


def test_gaussian_noise_on_colour_is_per_channel_unless_disabled(color):
    rng = np.random.default_rng(0)
    out, _ = GaussianNoise(sigma=0.05).degrade(color * 0.5 + 0.25, rng)
    diff = out - (color * 0.5 + 0.25)
    assert abs(np.corrcoef(diff[..., 0].ravel(), diff[..., 1].ravel())[0, 1]) < 0.05
    out, _ = GaussianNoise(sigma=0.05, color=False).degrade(color * 0.5 + 0.25, rng)
    diff = out - (color * 0.5 + 0.25)
    assert np.allclose(diff[..., 0], diff[..., 1], atol=1e-6)


def test_poisson_noise_variance_is_signal_over_peak():
    image = np.full((128, 128, 1), 0.5, np.float32)
    image[:, 64:] = 0.125
    out, params = PoissonNoise(peak=200.0).degrade(image, np.random.default_rng(0))
    assert params['peak'] == pytest.approx(200.0)
    bright, dark = out[:, :64], out[:, 64:]
    assert bright.var() == pytest.approx(0.5 / 200, rel=0.1)
    assert dark.var() == pytest.approx(0.125 / 200, rel=0.15)
    assert bright.mean() == pytest.approx(0.5, abs=0.005)  # unbiased


def test_poisson_peak_range_is_drawn_inside():
    op = PoissonNoise(peak=(10, 1000))
    peaks = [op.sample_params(np.random.default_rng(s), (8, 8, 1))['peak'] for s in range(50)]
    assert 10 <= min(peaks) and max(peaks) <= 1000 and len(set(peaks)) == 50
