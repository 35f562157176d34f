"""Rain adds bright streaks along its fall direction; snow adds bright flakes and a veil; haze
lowers the contrast and raises the dark channel, more where the depth proxy is far."""

import numpy as np
import pytest

from fusionbox.degradations import Haze, Rain, Snow

from .signatures import dark_channel


def autocorrelation(layer, dy, dx):
    a = layer - layer.mean()
    h, w = a.shape
    x, y = a[: h - dy, : w - dx], a[dy:, dx:]
    return float((x * y).mean() / a.var())


def test_rain_adds_bright_streaks_along_the_fall_direction(grey):
    image = grey * 0.6
    op = Rain(angle=0.0, length=30.0, density=0.004, layers=1)
    out, params = op.degrade(image, np.random.default_rng(0))
    assert params['angle'] == 0.0 and params['layers'] == 1
    added = (out - image)[..., 0]
    assert added.min() > -1e-6  # screen blend only brightens
    assert 0.005 < (added > 0.05).mean() < 0.5
    assert autocorrelation(added, 6, 0) > 0.6  # correlated down the (vertical) streaks
    assert autocorrelation(added, 0, 6) < 0.2  # not across them


def test_rain_angle_tilts_the_streaks(grey):
    out, _ = Rain(angle=45.0, length=30.0, layers=1).degrade(grey * 0.6, np.random.default_rng(0))
    added = (out - grey * 0.6)[..., 0]
    # +45 degrees from the vertical leans right at the bottom: correlated along (1, 1)
    diag = autocorrelation(added, 4, 4)
    assert diag > 0.4 and diag > 2 * autocorrelation(added, 6, 0)


def test_snow_adds_bright_flakes_and_a_veil(color):
    image = color * 0.7
    out, params = Snow(veil=0.1, density=0.004).degrade(image, np.random.default_rng(0))
    added = (out - image).max(axis=2)
    assert out.mean() > image.mean() + 0.02
    flakes = added > 0.3
    assert 0.001 < flakes.mean() < 0.2
    assert out.std() < image.std()  # the veil flattens the scene


def test_haze_lowers_contrast_and_raises_the_dark_channel(color, grey):
    for image in (color, grey):
        out, params = Haze(beta=2.0, airlight=0.9).degrade(image, np.random.default_rng(0))
        assert params == {'beta': 2.0, 'airlight': 0.9}
        assert out.std() < 0.8 * image.std()
        assert dark_channel(out).mean() > dark_channel(image).mean() + 0.1


def test_haze_is_thicker_where_the_depth_proxy_is_far(grey):
    op = Haze(beta=2.0, airlight=1.0, depth_weights=(1.0, 0.0, 0.0))  # depth = row only
    flat = np.full_like(grey, 0.2)
    out, _ = op.degrade(flat, np.random.default_rng(0))
    column = out[:, 0, 0]
    assert np.all(np.diff(column) <= 1e-6)  # top (far) is hazier than the bottom (near)
    t_top = (1.0 - column[0]) / 0.8  # I = J t + A (1 - t) with J = 0.2, A = 1
    assert t_top == pytest.approx(np.exp(-2.0), rel=1e-3)
    assert column[-1] == pytest.approx(0.2, abs=1e-5)  # depth 0: no haze


def test_weather_is_meant_for_visible_sources():
    for op in (Rain(), Snow(), Haze()):
        assert op.accepts('vi') and op.accepts('under') and not op.accepts('ir')
        assert not op.accepts('mri')
