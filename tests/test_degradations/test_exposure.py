"""Low light lowers the mean and keeps the ordering; over-exposure saturates; low contrast
squeezes towards the mean."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from fusionbox.degradations import LowContrast, LowLight, OverExposure


def keeps_order(before, after):
    order = np.argsort(before.ravel(), kind='stable')
    return bool(np.all(np.diff(after.ravel()[order]) >= -1e-7))


def test_low_light_lowers_the_mean_and_keeps_the_ordering(grey, color):
    for image in (grey, color):
        out, params = LowLight(shot=0.0, read=0.0).degrade(image, np.random.default_rng(0))
        assert out.mean() < 0.5 * image.mean()
        assert keeps_order(image, out)
        assert params['shot'] == 0.0 and 0.1 <= params['gain'] <= 0.4


def test_low_light_noise_is_signal_dependent_and_keeps_the_order_statistically(grey):
    op = LowLight(gain=0.3, gamma=1.5, shot=0.002, read=0.005)
    out, _ = op.degrade(grey, np.random.default_rng(0))
    assert out.mean() < 0.5 * grey.mean()
    assert spearmanr(grey.ravel(), out.ravel()).correlation > 0.9
    flat = np.concatenate([np.full((64, 64, 1), 0.1), np.full((64, 64, 1), 1.0)], 1)
    noisy, _ = op.degrade(flat.astype(np.float32), np.random.default_rng(1))
    assert noisy[:, 64:].var() > 2 * noisy[:, :64].var()  # brighter -> more shot noise


def test_over_exposure_raises_the_mean_and_clips_highlights(grey, color):
    for image in (grey, color):
        out, params = OverExposure(ev=2.0).degrade(image, np.random.default_rng(0))
        assert params == {'ev': 2.0}
        assert out.mean() > image.mean() + 0.1
        assert (out >= 0.999).mean() > (image >= 0.999).mean() + 0.1
        assert keeps_order(image, out)
    assert np.allclose(
        OverExposure(ev=0.0).degrade(grey, np.random.default_rng(0))[0], grey, atol=1e-5
    )


def test_low_contrast_scales_the_deviation_and_keeps_the_mean(grey):
    out, params = LowContrast(factor=0.4).degrade(grey, np.random.default_rng(0))
    assert out.std() == pytest.approx(0.4 * grey.std(), rel=1e-3)
    assert out.mean() == pytest.approx(grey.mean(), abs=1e-4)
    assert keeps_order(grey, out)


def test_exposure_operations_target_the_right_sources():
    assert LowLight().accepts('vi') and not LowLight().accepts('ir')
    assert OverExposure().accepts('vi') and not OverExposure().accepts('ct')
    assert LowContrast().accepts('ir') and LowContrast().accepts('mri')
