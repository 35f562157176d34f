"""The restoration operators (fusionbox.degradations.restoration): each lowers the signature of
the degradation it is registered for (noise energy, stripe energy, dark channel, blur, exposure,
blockiness, streaks, veil) on a real photograph, and the cascade applies them by the record."""

import cv2
import numpy as np
import pytest

from fusionbox.degradations import RestoreThenFuse, restorer_for
from fusionbox.registry import DEGRADATIONS, PRIORS, RESTORERS
from fusionbox.utils import register_all_modules

from .signatures import dark_channel, gradient_energy, hf_energy


@pytest.fixture(scope='module', autouse=True)
def _registered():
    register_all_modules()


@pytest.fixture(scope='module')
def camera():
    """scikit-image's camera photograph, (256, 256, 1) float32 in [0, 1]."""
    from skimage import data

    image = data.camera().astype(np.float32) / 255.0
    return cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA)[..., None]


def psnr(a, b):
    return float(10 * np.log10(1.0 / np.mean((a.astype(np.float64) - b) ** 2)))


def stripe_energy(image):
    """Energy of the column-median profile's high-pass part (column fixed-pattern offsets)."""
    from scipy.ndimage import gaussian_filter1d

    profile = np.median(image[..., 0], axis=0).astype(np.float64)
    return float(np.mean((profile - gaussian_filter1d(profile, 4)) ** 2))


def blockiness(image):
    """Mean jump across the 8-pixel JPEG block seams minus the mean jump elsewhere."""
    d = np.abs(np.diff(image[..., 0].astype(np.float64), axis=1))
    return float(d[:, 7::8].mean() - np.delete(d, np.s_[7::8], axis=1).mean())


def streak_energy(image):
    """Mean brightness above the 5 x 5 median: thin bright structures (streaks, flakes)."""
    data = np.clip(image[..., 0] * 255 + 0.5, 0, 255).astype(np.uint8)
    median = cv2.medianBlur(data, 5).astype(np.float32) / 255.0
    return float(np.maximum(image[..., 0] - median, 0).mean())


def _degrade(image, cfg, seed=0):
    out, _ = DEGRADATIONS.build(dict(cfg)).degrade(image, np.random.default_rng(seed))
    return out.reshape(image.shape)


def _restore(name, degraded):
    restorer = RESTORERS.build(dict(type=restorer_for(name)))
    return restorer, restorer(degraded)


# degradation config, restorer, signature, (max signature after / before, measured value), and
# the least PSNR gain (dB) to the clean image (measured value in the comment)
CASES = {
    'GaussianNoise': ('NonLocalMeansDenoise', hf_energy, 0.5, 4.0),  # 0.41; +5.9 dB
    'PoissonNoise': ('NonLocalMeansDenoise', hf_energy, 0.5, 4.0),  # 0.40; +6.1 dB
    'StripeNoise': ('ColumnDestripe', stripe_energy, 0.1, 3.0),  # 0.02; +4.4 dB
    'Haze': ('DarkChannelDehaze', lambda x: float(dark_channel(x).mean()), 0.6, 1.0),  # 0.45
    'JPEGCompression': ('TVDeblock', blockiness, 0.4, 0.05),  # 0.26; +0.13 dB
    'Snow': ('MedianSnowRemoval', streak_energy, 0.5, 4.0),  # +4.9 dB
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_restorer_lowers_its_degradation_signature(camera, name):
    expected, signature, max_ratio, min_gain = CASES[name]
    degraded = _degrade(camera, dict(type=name))
    restorer, restored = _restore(name, degraded)
    assert restorer.name == expected and name in restorer.restores
    assert restored.shape == camera.shape and restored.dtype == np.float32
    before, after = signature(degraded), signature(restored)
    assert signature(camera) < before  # the degradation raised it
    assert after < max_ratio * before, (before, after)
    assert psnr(restored, camera) > psnr(degraded, camera) + min_gain


@pytest.mark.parametrize(
    'name, min_ratio, min_gain',
    [
        ('GaussianBlur', 1.7, 0.8),  # gradient energy x1.86, +1.2 dB
        ('DefocusBlur', 2.0, 0.7),  # x2.25, +1.0 dB
        ('MotionBlur', 1.4, -0.5),  # x1.62, -0.1 dB: an assumed Gaussian PSF, no PSNR gain
        ('Downsample', 1.8, -0.2),  # x2.11, +0.05 dB
    ],
)
def test_deblurring_restores_sharpness(camera, name, min_ratio, min_gain):
    degraded = _degrade(camera, dict(type=name))
    _, restored = _restore(name, degraded)
    assert gradient_energy(degraded) < 0.2 * gradient_energy(camera)
    assert gradient_energy(restored) > min_ratio * gradient_energy(degraded)
    assert gradient_energy(restored) < gradient_energy(camera)  # no ringing beyond the original
    assert psnr(restored, camera) > psnr(degraded, camera) + min_gain


def test_exposure_and_contrast_move_back_towards_the_clean_image(camera):
    dark = _degrade(camera, dict(type='LowLight'))
    _, bright = _restore('LowLight', dark)
    assert dark.mean() < 0.15 and 0.35 < bright.mean() < 0.5  # clean mean 0.51
    assert psnr(bright, camera) > psnr(dark, camera) + 8.0  # 7.2 -> 15.7 dB
    over = _degrade(camera, dict(type='OverExposure'))
    _, darker = _restore('OverExposure', over)
    assert darker.mean() < over.mean() - 0.05  # 0.75 -> 0.68
    flat = _degrade(camera, dict(type='LowContrast'))
    _, contrast = _restore('LowContrast', flat)
    assert contrast.std() > flat.std() + 0.01  # 0.159 -> 0.175 (clean 0.286)
    assert psnr(contrast, camera) > psnr(flat, camera) + 0.5  # 17.9 -> 18.8 dB


def test_rain_removal_on_heavy_rain(camera):
    rain = dict(type='Rain', density=0.008, intensity=0.8, layers=2)
    degraded = _degrade(camera, rain, seed=1)
    _, restored = _restore('Rain', degraded)
    assert streak_energy(restored) < 0.5 * streak_energy(degraded)
    assert psnr(restored, camera) > psnr(degraded, camera) + 0.5


def test_restorer_choice_follows_priority_and_a_plugin_can_replace_one():
    assert restorer_for('GaussianNoise') == 'NonLocalMeansDenoise'  # bilateral: priority -1
    with pytest.raises(KeyError, match="no restorer registered for degradation 'Fog'"):
        restorer_for('Fog')

    class LearnedDenoiser(RESTORERS.module_dict['BilateralDenoise']):
        priority = 5

    RESTORERS.register_module(module=LearnedDenoiser)
    try:
        assert restorer_for('PoissonNoise') == 'LearnedDenoiser'
    finally:
        RESTORERS.module_dict.pop('LearnedDenoiser')
    assert restorer_for('PoissonNoise') == 'NonLocalMeansDenoise'


def test_cascade_undoes_the_record_on_the_sources_it_names(camera):
    ir = _degrade(camera, dict(type='StripeNoise'))
    vi = _degrade(_degrade(camera, dict(type='LowLight')), dict(type='GaussianNoise'), seed=3)
    records = [
        dict(type='LowLight', sources=['vi'], params=[{}]),
        dict(type='GaussianNoise', sources=['vi'], params=[{}]),
        dict(type='StripeNoise', sources=['ir'], params=[{}]),
    ]
    cascade = RestoreThenFuse()
    restored = cascade.restore([ir, vi], ['ir', 'vi'], records)
    # reverse order on vi: denoise first, then brighten
    expected_vi = RESTORERS.build(dict(type='AdaptiveGamma'))(
        RESTORERS.build(dict(type='NonLocalMeansDenoise'))(vi)
    )
    np.testing.assert_allclose(restored[1], expected_vi)
    np.testing.assert_allclose(restored[0], RESTORERS.build(dict(type='ColumnDestripe'))(ir))
    fused = cascade([ir, vi], ['ir', 'vi'], records, 'ivf')
    np.testing.assert_allclose(fused, PRIORS.build(dict(type='LaplacianPyramid'))(restored))
    plain = PRIORS.build(dict(type='LaplacianPyramid'))([ir, vi])
    clean = PRIORS.build(dict(type='LaplacianPyramid'))([camera, camera])
    assert psnr(fused, clean) > psnr(plain, clean) + 3.0
    with pytest.raises(KeyError, match=r"names source\(s\) \['vis'\]"):
        cascade.restore([ir, vi], ['ir', 'vi'], [dict(type='Haze', sources=['vis'])])
    with pytest.raises(KeyError, match="no prior for task 'xyz'"):
        cascade([ir, vi], ['ir', 'vi'], records, 'xyz')
