import numpy as np
import pytest

from fusionbox.datasets.transforms import LoadMultiSourceImages, read_image, read_mask

from ..conftest import random_image, write_png


def test_load_values_channels_and_keys(tmp_path):
    rng = np.random.default_rng(0)
    rgb = random_image(rng, (6, 7), 3)
    grey = random_image(rng, (6, 7), 1)
    grey_as_rgb = np.repeat(grey[..., None], 3, axis=2)
    paths = [write_png(tmp_path / 'a.png', rgb), write_png(tmp_path / 'b.png', grey_as_rgb)]
    mask = write_png(tmp_path / 'm.png', (grey > 128).astype(np.uint8))
    gt = write_png(tmp_path / 'gt.png', rgb)
    label = write_png(tmp_path / 'pl.png', grey)
    out = LoadMultiSourceImages()(
        dict(
            source_paths=[str(p) for p in paths],
            gt_path=str(gt),
            mask_path=str(mask),
            pseudo_label_path=str(label),
        )
    )
    a, b = out['sources']
    assert a.dtype == np.float32 and a.shape == (6, 7, 3)
    np.testing.assert_allclose(a, rgb / 255.0, atol=1e-6)  # RGB order kept
    assert b.shape == (6, 7, 1)  # grey stored as RGB is squeezed
    np.testing.assert_allclose(b[..., 0], grey / 255.0, atol=1e-6)
    assert out['gt'].shape == (6, 7, 3) and out['pseudo_label'].shape == (6, 7, 1)
    assert out['mask'].dtype == np.uint8 and out['mask'].shape == (6, 7)
    np.testing.assert_array_equal(out['mask'], (grey > 128).astype(np.uint8))
    assert out['ori_shape'] == out['img_shape'] == (6, 7)
    keep = LoadMultiSourceImages(squeeze_grey=False)(dict(source_paths=[str(paths[1])] * 2))
    assert keep['sources'][0].shape == (6, 7, 3)


def test_16_bit_and_missing_file(tmp_path):
    import cv2

    deep = np.full((4, 5), 65535 // 2, np.uint16)
    cv2.imwrite(str(tmp_path / 'd.png'), deep)
    assert read_image(str(tmp_path / 'd.png')).max() == pytest.approx(0.5, abs=1e-4)
    with pytest.raises(FileNotFoundError):
        read_image(str(tmp_path / 'absent.png'))
    (tmp_path / 'bad.png').write_bytes(b'\x89PNG broken')
    with pytest.raises(OSError, match='bad.png'):
        read_mask(str(tmp_path / 'bad.png'))
