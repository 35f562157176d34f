import numpy as np

from fusionbox.datasets.transforms import SourcesToYCbCr
from fusionbox.utils.color import rgb_to_ycbcr, ycbcr_to_rgb


def test_colour_round_trip_and_chroma():
    rng = np.random.default_rng(0)
    rgb = rng.random((5, 6, 3)).astype(np.float32)
    grey = rng.random((5, 6, 1)).astype(np.float32)
    out = SourcesToYCbCr()(dict(sources=[grey, rgb], gt=rgb.copy()))
    assert out['is_color'] is True
    assert [s.shape for s in out['sources']] == [(5, 6, 1), (5, 6, 1)]
    assert out['sources'][1].dtype == np.float32 and out['chroma'].dtype == np.float32
    np.testing.assert_array_equal(out['sources'][0], grey)  # grey source untouched
    assert out['chroma'].shape == (5, 6, 2) and out['gt'].shape == (5, 6, 1)
    # one colour source: its own chroma; Y + CbCr recompose the RGB image
    ycc = np.concatenate([out['sources'][1], out['chroma']], axis=-1)
    np.testing.assert_allclose(ycbcr_to_rgb(ycc), rgb, atol=1e-5)
    np.testing.assert_allclose(out['gt'][..., 0], rgb_to_ycbcr(rgb)[..., 0], atol=1e-6)


def test_all_grey_has_no_chroma():
    grey = np.full((3, 3, 1), 0.25, np.float32)
    out = SourcesToYCbCr()(dict(sources=[grey, grey], chroma=np.zeros((3, 3, 2))))
    assert out['is_color'] is False and 'chroma' not in out


def test_two_colour_sources_fuse_chroma():
    a = np.zeros((2, 2, 3), np.float32)
    a[..., 0] = 1.0  # saturated red
    b = np.full((2, 2, 3), 0.5, np.float32)  # neutral grey as RGB
    out = SourcesToYCbCr()(dict(sources=[a, b]))
    np.testing.assert_allclose(out['chroma'], rgb_to_ycbcr(a)[..., 1:], atol=1e-6)
