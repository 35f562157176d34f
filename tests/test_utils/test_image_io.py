"""The one image reader and writer: true ranges, one grey rule, bad files named, limits."""

import cv2
import numpy as np
import pytest

from fusionbox.utils.errors import ImageReadError, ResourceLimitError
from fusionbox.utils.image_io import (
    IMAGE_EXTENSIONS,
    as_image,
    image_info,
    list_images,
    match_stem,
    read_image,
    read_sources,
    to_uint8,
    to_uint16,
    write_image,
)


@pytest.fixture
def rgb():
    return np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)


@pytest.mark.parametrize('ext', ['.png', '.bmp', '.tif', '.webp'])
def test_8_bit_files_read_exactly_in_rgb_order(tmp_path, rgb, ext):
    path = tmp_path / f'a{ext}'
    params = [cv2.IMWRITE_WEBP_QUALITY, 101] if ext == '.webp' else []  # lossless WebP
    assert cv2.imwrite(str(path), rgb[..., ::-1], params)
    image = read_image(path)
    assert image.dtype == np.float32 and image.shape == (37, 53, 3)
    np.testing.assert_array_equal(np.rint(image * 255).astype(np.uint8), rgb)
    assert image_info(path) == (37, 53, 8)


@pytest.mark.parametrize('ext', ['.png', '.tif'])
def test_16_bit_files_read_at_their_true_range(tmp_path, ext):
    deep = np.random.default_rng(1).integers(0, 65536, (9, 11, 3), dtype=np.uint16)
    cv2.imwrite(str(tmp_path / f'd{ext}'), deep[..., ::-1])
    image = read_image(tmp_path / f'd{ext}')
    np.testing.assert_array_equal(np.rint(image * 65535).astype(np.uint16), deep)
    assert image_info(tmp_path / f'd{ext}')[2] == 16


def test_float_tiff_keeps_its_values_not_divided_by_255(tmp_path):
    import tifffile

    values = np.random.default_rng(2).random((8, 10, 3)).astype(np.float32)
    tifffile.imwrite(tmp_path / 'f.tif', values)
    np.testing.assert_array_equal(read_image(tmp_path / 'f.tif'), values)
    cv2.imwrite(str(tmp_path / 'g.tif'), values[..., 0] * 0.5)
    np.testing.assert_allclose(read_image(tmp_path / 'g.tif')[..., 0], values[..., 0] * 0.5)


def test_one_grey_rule_and_alpha_dropped(tmp_path, rgb):
    grey = rgb[..., 0]
    cv2.imwrite(str(tmp_path / 'g3.png'), np.dstack([grey] * 3))
    cv2.imwrite(str(tmp_path / 'g1.jpg'), grey, [cv2.IMWRITE_JPEG_QUALITY, 100])
    rgba = np.dstack([rgb[..., ::-1], np.full(grey.shape, 9, np.uint8)])
    cv2.imwrite(str(tmp_path / 'rgba.png'), rgba)
    assert read_image(tmp_path / 'g3.png').shape == (37, 53, 1)
    assert read_image(tmp_path / 'g3.png', squeeze_grey=False).shape == (37, 53, 3)
    assert read_image(tmp_path / 'g1.jpg').shape == (37, 53, 1)
    np.testing.assert_array_equal(read_image(tmp_path / 'rgba.png') * 255, rgb.astype(np.float32))
    # arrays follow the same rules
    assert as_image(np.dstack([grey] * 3)).shape == (37, 53, 1)
    np.testing.assert_allclose(as_image(grey.astype(np.uint16) * 257)[..., 0], grey / 255, 1e-6)
    with pytest.raises(ValueError, match='source 1 holds NaN'):
        as_image(np.full((4, 4), np.nan, np.float32), 'source 1')


def test_bad_files_are_named_and_refused(tmp_path, rgb):
    cv2.imwrite(str(tmp_path / 'ok.jpg'), rgb)
    cv2.imwrite(str(tmp_path / 'ok.png'), rgb)
    data = (tmp_path / 'ok.jpg').read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[: len(data) // 2])  # libjpeg only warns on this
    (tmp_path / 'cut.png').write_bytes((tmp_path / 'ok.png').read_bytes()[:300])
    (tmp_path / 'empty.png').write_bytes(b'')
    (tmp_path / 'text.png').write_text('not an image')
    # a JPEG with its header and an end marker but no scan
    (tmp_path / 'junk.jpg').write_bytes(data[:200] + b'\x00' * 10 + b'\xff\xd9')
    cases = {
        'cut.jpg': 'truncated JPEG',
        'cut.png': 'truncated PNG',
        'empty.png': 'empty',
        'text.png': 'not an image file',
        'junk.jpg': 'truncated JPEG',
    }
    for name, reason in cases.items():
        with pytest.raises(ImageReadError, match=rf'{name}.*{reason}|{reason}.*{name}'):
            read_image(tmp_path / name)
    with pytest.raises(FileNotFoundError, match='absent.png'):
        read_image(tmp_path / 'absent.png')
    # data after the end-of-image marker (some cameras append some) is not a truncation
    (tmp_path / 'tail.jpg').write_bytes(data + b'trailer\x00\x00')
    np.testing.assert_array_equal(
        read_image(tmp_path / 'tail.jpg'), read_image(tmp_path / 'ok.jpg')
    )


def test_an_image_above_the_pixel_limit_is_refused_before_decoding(tmp_path):
    from PIL import Image

    Image.new('L', (20000, 20000)).save(tmp_path / 'huge.png')  # ~400 KB on disk
    assert (tmp_path / 'huge.png').stat().st_size < 1_000_000
    with pytest.raises(ResourceLimitError, match='huge.png'):
        read_image(tmp_path / 'huge.png')
    Image.new('L', (300, 200)).save(tmp_path / 'small.png')
    with pytest.raises(ResourceLimitError, match=r'small\.png is 300x200 = 60000 pixels.*1000'):
        read_image(tmp_path / 'small.png', max_pixels=1000)


def test_sources_must_share_a_size(tmp_path):
    write_image(tmp_path / 'a.png', np.zeros((4, 5)))
    write_image(tmp_path / 'b.png', np.zeros((4, 6)))
    with pytest.raises(ValueError, match=r'b\.png is 6x4 but .*a\.png is 5x4'):
        read_sources([tmp_path / 'a.png', tmp_path / 'b.png'])


def test_write_is_atomic_refuses_to_overwrite_and_round_trips(tmp_path):
    image = np.random.default_rng(3).random((7, 9, 3)).astype(np.float32)
    path = write_image(tmp_path / 'o.png', image)
    np.testing.assert_array_equal(read_image(path), to_uint8(image) / np.float32(255))
    with pytest.raises(FileExistsError, match='o.png'):
        write_image(path, image)
    write_image(path, image, bits=16, overwrite=True)
    np.testing.assert_array_equal(read_image(path), to_uint16(image) / np.float32(65535))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith('.')]  # no temporary left
    with pytest.raises(ValueError, match=r'16-bit images need a \.png or \.tif'):
        write_image(tmp_path / 'o.jpg', image, bits=16)
    with pytest.raises(ValueError, match='NaN'):
        write_image(tmp_path / 'n.png', np.full((2, 2), np.nan))
    np.testing.assert_array_equal(
        to_uint8(np.array([-1, 0.5 / 255, 1.5 / 255, 2.0])), [0, 0, 2, 255]
    )


def test_listing_and_stem_matching(tmp_path):
    for name in ('a.png', 'b.JPG', '.hidden.png', 'notes.txt', 'c_ADF.tif'):
        (tmp_path / name).write_bytes(b'')
    assert set(list_images(tmp_path)) == {'a', 'b', 'c_ADF'}
    (tmp_path / 'a.jpg').write_bytes(b'')
    with pytest.raises(ValueError, match="two images with the stem 'a'"):
        list_images(tmp_path)
    with pytest.raises(FileNotFoundError, match='source folder .*nope does not exist'):
        list_images(tmp_path / 'nope', 'source')
    assert match_stem('carLight_ADF', {'carLight', 'car'}) == 'carLight'
    assert match_stem('car', ['car', 'carLight']) == 'car'
    assert match_stem('bus', {'car'}) is None
    assert '.webp' in IMAGE_EXTENSIONS and '.tiff' in IMAGE_EXTENSIONS


def test_written_files_follow_the_umask_and_are_never_clobbered(tmp_path):
    import os
    import stat

    from fusionbox.utils.io import atomic_path

    old = os.umask(0o022)
    try:
        path = write_image(tmp_path / 'mode.png', np.zeros((2, 2)))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(FileExistsError, match='late.txt exists'):
        with atomic_path(tmp_path / 'late.txt', overwrite=False) as tmp:
            tmp.write_text('mine')
            (tmp_path / 'late.txt').write_text('theirs')  # appears while we write
    assert (tmp_path / 'late.txt').read_text() == 'theirs'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['late.txt', 'mode.png']
