"""FusionInferencer on a tiny model trained by tools/train.py: colour, bit depths, sizes, stacks,
tiling, steps and the memory bound."""

import cv2
import numpy as np
import pytest

from fusionbox.apis import FusionInferencer, fuse, init_fuser
from fusionbox.utils.color import rgb_to_ycbcr
from fusionbox.utils.errors import ResourceLimitError
from fusionbox.utils.image_io import write_image

LITE = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py'


@pytest.fixture(scope='module')
def fuser(tiny_checkpoint):
    return init_fuser(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']))


def _scene(h, w, seed=0):
    """A smooth grey and a textured colour source of one scene, float32 in [0, 1]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    grey = (0.5 + 0.4 * np.sin(6 * xx) * np.cos(4 * yy)).astype(np.float32)
    noise = cv2.GaussianBlur(rng.random((h, w, 3)).astype(np.float32), (0, 0), 1.5)
    colour = np.clip(noise * np.array([1.0, 0.8, 0.5], np.float32) + 0.2 * yy[..., None], 0, 1)
    return grey, colour.astype(np.float32)


def test_colour_is_carried_through_ycbcr(fuser, tmp_path):
    grey, colour = _scene(40, 48)
    write_image(tmp_path / 'ir.png', grey)
    write_image(tmp_path / 'vi.png', colour)
    (out,) = fuser([str(tmp_path / 'ir.png'), str(tmp_path / 'vi.png')], 'ivf')
    assert out.dtype == np.float32 and out.shape == (40, 48, 3)
    assert 0 <= out.min() and out.max() <= 1
    # the fused luma is what the model gives on the lumas; the chroma is the colour source's
    vi = np.round(colour * 255) / 255
    luma = fuse(fuser, [np.round(grey * 255) / 255, rgb_to_ycbcr(vi)[..., 0]], 'ivf')
    assert luma.shape == (40, 48)
    ycc = rgb_to_ycbcr(out)
    inside = (out > 0.02).all(-1) & (out < 0.98).all(-1)  # not clipped by the recomposition
    np.testing.assert_allclose(ycc[..., 0][inside], luma[inside], atol=2e-3)
    np.testing.assert_allclose(ycc[..., 1:][inside], rgb_to_ycbcr(vi)[..., 1:][inside], atol=2e-3)


def test_16_bit_sources_read_at_full_precision(fuser, tmp_path):
    grey, colour = _scene(32, 40, seed=1)
    write_image(tmp_path / 'a.png', grey, bits=16)
    write_image(tmp_path / 'b.tif', colour[..., 1], bits=16)
    (from_files,) = fuser([tmp_path / 'a.png', tmp_path / 'b.tif'], 'mif')
    q = lambda x: np.round(x * 65535).astype(np.uint16)  # noqa: E731
    from_arrays = fuse(fuser, [q(grey), q(colour[..., 1])], 'mif')
    np.testing.assert_allclose(from_files, from_arrays, atol=1e-6)
    eight_bit = fuse(
        fuser, [np.round(grey * 255) / 255, np.round(colour[..., 1] * 255) / 255], 'mif'
    )
    assert np.abs(from_files - eight_bit).max() > 0  # the low bits were used


def test_odd_sizes_batches_and_three_sources(fuser):
    a, b = _scene(37, 53, seed=2)
    c = np.clip(a * 0.5 + 0.3, 0, 1)
    two = fuse(fuser, [a, b[..., 0]], 'mef')
    three = fuse(fuser, [a, b[..., 0], c], 'mef')
    assert two.shape == three.shape == (37, 53)
    assert np.abs(two - three).mean() > 1e-3  # the third exposure counts
    other = [b[..., 1], a]
    batched = fuser([[a, b[..., 0]], other], 'mef', batch_size=2)
    np.testing.assert_allclose(batched[0], two, atol=1e-5)
    np.testing.assert_allclose(batched[1], fuse(fuser, other, 'mef'), atol=1e-5)
    # the fused image follows its sources: flipping both flips the result (up to the padding)
    flipped = fuse(fuser, [a[:, ::-1], b[:, ::-1, 0]], 'mef')[:, ::-1]
    assert np.abs(flipped - two)[4:-4, 4:-4].mean() < 0.02
    # down to a single pixel (padded to the network's multiple, cropped back)
    pixel = np.array([[[0.7, 0.5, 0.2]]], np.float32)  # (1, 1, 3) colour
    assert fuse(fuser, [np.full((1, 1), 0.2), pixel], 'mef').shape == (1, 1, 3)
    assert fuse(fuser, [np.full((1, 1), 0.2), np.full((1, 1, 3), 0.7)], 'mef').shape == (1, 1)


def test_tiles_blend_without_seams(tiny_checkpoint):
    from skimage import data

    camera = cv2.resize(data.camera(), (170, 150), interpolation=cv2.INTER_AREA) / 255.0
    moon = cv2.resize(data.moon(), (170, 150), interpolation=cv2.INTER_AREA) / 255.0
    sources = [camera.astype(np.float32), moon.astype(np.float32)]
    whole = fuse(init_fuser(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint'])),
                 sources, 'ivf')  # fmt: skip
    tiler = FusionInferencer(
        tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']), tile=64, tile_overlap=16
    )
    tiled = fuse(tiler, sources, 'ivf')
    assert tiled.shape == whole.shape == (150, 170)
    assert np.abs(tiled - whole).mean() < 0.01
    # gradient energy across the tile borders (between the rows / columns where a tile starts
    # or ends inside the image) is not above what the untiled result has there: no seam
    from fusionbox.apis.tiling import tile_starts

    for axis, length in ((1, 170), (0, 150)):
        starts = tile_starts(length, 64, 16)
        seams = sorted({s - 1 for s in starts[1:]} | {s + 63 for s in starts[:-1]})
        energy = [np.abs(np.diff(x, axis=axis)).mean(axis=1 - axis)[seams] for x in (tiled, whole)]
        assert energy[0].mean() <= energy[1].mean() * 1.02
        assert (energy[0] <= energy[1] * 1.1 + 1e-3).all()


def test_steps_apply_to_flow_models_for_one_call():
    import torch

    torch.manual_seed(0)
    flow = FusionInferencer(LITE)  # untrained: the flow starts from the initial fusion
    a, b = _scene(32, 32, seed=3)
    default = flow.model.objective.num_steps
    one = fuse(flow, [a, b[..., 0]], 'ivf', steps=1)
    assert flow.model.objective.num_steps == default
    again = fuse(flow, [a, b[..., 0]], 'ivf', steps=1)
    np.testing.assert_allclose(one, again, atol=1e-6)
    with pytest.raises(ValueError, match=r'steps must be an integer in \[1, 1000\], got -2'):
        fuse(flow, [a, b[..., 0]], 'ivf', steps=-2)
    assert flow.model.objective.num_steps == default


def test_bad_requests_are_refused_before_any_work(fuser, tiny_checkpoint, tmp_path, monkeypatch):
    a, b = _scene(40, 50, seed=4)
    calls = []
    monkeypatch.setattr(fuser.model, 'test_step', lambda data: calls.append(data))
    write_image(tmp_path / 'a.png', a)
    write_image(tmp_path / 'small.png', a[:20])
    (tmp_path / 'bad.png').write_text('not an image')
    cases = [
        ([[a, b[..., 0]], [a, a[:30]]], ValueError, 'source 1 is 50x30 but source 0 is 50x40'),
        ([tmp_path / 'a.png', tmp_path / 'small.png'], ValueError, r'small\.png is 50x20'),
        ([[a, b[..., 0]], [tmp_path / 'a.png', tmp_path / 'bad.png']], OSError, r'bad\.png'),
        ([a], ValueError, 'at least 2 sources'),
    ]
    for sources, error, message in cases:
        with pytest.raises(error, match=message):
            fuser(sources, 'ivf')
    with pytest.raises(ValueError, match='give a list of N paths or arrays'):
        fuser(np.stack([a, a]), 'ivf')  # a stacked array is ambiguous with an RGB image
    with pytest.raises(ValueError, match="unknown fusion task 'xyz'"):
        fuser([a, a], 'xyz')
    with pytest.raises(ValueError, match='no text encoder'):
        fuser([a, a], 'ivf', prompt='remove the rain')
    with pytest.raises(ValueError, match='steps apply to flow-matching models'):
        fuser([a, a], 'ivf', steps=4)
    assert not calls
    bounded = FusionInferencer(tiny_checkpoint['config'], max_pixels=1000)
    with pytest.raises(ResourceLimitError, match=r'50x40 = 2000 pixels exceeds max_pixels=1000'):
        bounded([a, a], 'ivf')
    with pytest.raises(ResourceLimitError, match='tile 64 x 64 = 4096 pixels exceeds'):
        FusionInferencer(tiny_checkpoint['config'], tile=64, max_pixels=1000)
    with pytest.raises(ValueError, match='tile must be at least 32'):
        FusionInferencer(tiny_checkpoint['config'], tile=8)


def test_a_task_the_weights_were_not_trained_on_is_not_supported(tiny_checkpoint, register_task):
    register_task('nir')  # a plugin's task, registered after the four-task checkpoint was made
    four = init_fuser(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']))
    assert four.model.task_table[-1] == 'nir' and four.model.trained_tasks[-1] == 'mff'
    assert four.supports('ivf') and not four.supports('nir')
    with pytest.raises(ValueError, match="unknown fusion task 'pan'"):
        four.supports('pan')
