"""JPEG leaves 8x8 block artefacts; downsampling removes the frequencies above its Nyquist."""

import numpy as np
import pytest

from fusionbox.degradations import Downsample, JPEGCompression


def blockiness(image):
    """Mean |step| across 8x8 block boundaries over the mean |step| inside the blocks."""
    d = np.abs(np.diff(image[..., 0].astype(np.float64), axis=1))  # (H, W-1), step x -> x+1
    boundary = np.zeros(d.shape[1], bool)
    boundary[7::8] = True  # between columns 8k+7 and 8k+8
    return d[:, boundary].mean() / d[:, ~boundary].mean()


def test_jpeg_produces_8x8_block_artefacts(smooth, color):
    before = blockiness(smooth)
    out, params = JPEGCompression(quality=10).degrade(smooth, np.random.default_rng(0))
    assert params == {'quality': 10}
    assert before < 1.1 and blockiness(out) > 1.5
    out, _ = JPEGCompression(quality=10).degrade(color, np.random.default_rng(0))
    assert out.shape == color.shape and blockiness(out) > blockiness(color) + 0.2


def test_higher_jpeg_quality_is_closer_to_the_source(grey):
    errors = [
        np.abs(JPEGCompression(quality=q).degrade(grey, np.random.default_rng(0))[0] - grey).mean()
        for q in (10, 50, 95)
    ]
    assert errors[0] > errors[1] > errors[2]


def high_frequency_fraction(image, cutoff):
    """Share of the (mean-removed) spectral energy above ``cutoff`` cycles per pixel."""
    plane = image[..., 0] - image[..., 0].mean()
    power = np.abs(np.fft.fft2(plane)) ** 2
    fy = np.fft.fftfreq(plane.shape[0])[:, None]
    fx = np.fft.fftfreq(plane.shape[1])[None, :]
    high = np.maximum(np.abs(fx), np.abs(fy)) > cutoff
    return power[high].sum() / power.sum()


@pytest.mark.parametrize('upsample', ['bilinear', 'bicubic'])
def test_downsampling_removes_frequencies_above_the_low_resolution_nyquist(grey, upsample):
    out, params = Downsample(scale=4.0, upsample=upsample).degrade(grey, np.random.default_rng(0))
    assert params == {'scale': 4.0, 'upsample': upsample}
    assert out.shape == grey.shape
    cutoff = 0.5 / 4
    assert high_frequency_fraction(out, cutoff) < 0.3 * high_frequency_fraction(grey, cutoff)
    assert out.mean() == pytest.approx(grey.mean(), abs=0.01)
