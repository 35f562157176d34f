import numpy as np
import pytest

from fusionbox.datasets.transforms import PairedRandomCrop, PairedRandomFlip


def _sample(h=12, w=16):
    base = np.arange(h * w, dtype=np.float32).reshape(h, w, 1) / (h * w)
    return dict(
        sources=[base.copy(), base * 0.5],
        gt=base.copy(),
        chroma=np.repeat(base, 2, axis=2),
        pseudo_label=base.copy(),
        mask=(np.arange(h * w).reshape(h, w) % 7).astype(np.uint8),
    )


def _check_same_geometry(out):
    ref = out['sources'][0]
    np.testing.assert_array_equal(out['sources'][1], ref * 0.5)
    np.testing.assert_array_equal(out['gt'], ref)
    np.testing.assert_array_equal(out['pseudo_label'], ref)
    np.testing.assert_array_equal(out['chroma'][..., :1], ref)
    h, w = ref.shape[:2]
    full = _sample()
    x0, y0, x1, y1 = out.get('crop_bbox', (0, 0, w, h))
    expected = full['mask'][y0:y1, x0:x1]
    if out.get('flip'):
        expected = np.flip(expected, 1 if out['flip_direction'] == 'horizontal' else 0)
    np.testing.assert_array_equal(out['mask'], expected)


@pytest.mark.parametrize('seed', range(5))
def test_crop_same_window(seed):
    np.random.seed(seed)
    out = PairedRandomCrop((8, 6))(_sample())
    assert out['sources'][0].shape == (8, 6, 1) and out['mask'].shape == (8, 6)
    assert out['img_shape'] == (8, 6)
    x0, y0, x1, y1 = out['crop_bbox']
    np.testing.assert_array_equal(out['sources'][0], _sample()['sources'][0][y0:y1, x0:x1])
    _check_same_geometry(out)


def test_crop_pads_small_images():
    out = PairedRandomCrop(20)(_sample())
    assert out['sources'][0].shape == (20, 20, 1) and out['mask'].shape == (20, 20)
    assert out['mask'][12:].max() == 0  # masks padded with background


@pytest.mark.parametrize('direction', ['horizontal', 'vertical'])
def test_flip_same_for_all(direction):
    out = PairedRandomFlip(prob=1.0, direction=direction)(_sample())
    axis = 1 if direction == 'horizontal' else 0
    assert out['flip'] and out['flip_direction'] == direction
    np.testing.assert_array_equal(out['sources'][0], np.flip(_sample()['sources'][0], axis))
    _check_same_geometry(out)
    kept = PairedRandomFlip(prob=0.0)(_sample())
    assert not kept['flip'] and kept['flip_direction'] is None
    np.testing.assert_array_equal(kept['gt'], _sample()['gt'])


def test_bad_arguments():
    with pytest.raises(ValueError):
        PairedRandomCrop(0)
    with pytest.raises(ValueError, match='diagonal'):
        PairedRandomFlip(direction='diagonal')
