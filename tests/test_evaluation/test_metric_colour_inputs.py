"""Grey (H, W, 1) and colour (H, W, 3) arrays through the metric functions: (H, W, 1) is grey;
a grey protocol converts colour as its image reader does (so an array and the saved file give
the same value); the colour protocols evaluate per channel; other shapes are refused naming
the metric and the shapes expected."""

import cv2
import numpy as np
import pytest

from fusionbox.evaluation.functional import (
    MetricInputError,
    evaluate_image,
    get_metric,
    list_metrics,
    protocol_image,
)
from fusionbox.evaluation.io import read_for_protocol
from fusionbox.utils.errors import FusionBoxError


def _rgb(seed, h=64, w=72):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = 120 + 60 * np.sin(x / 5.0 + seed) * np.cos(y / 4.0 - seed)
    chans = [base + rng.normal(0, 8, (h, w)) + 20 * c for c in range(3)]
    return np.clip(np.round(np.stack(chans, -1)), 0, 255).astype(np.uint8)  # (H, W, 3)


def _call(name, fused, sources, gt, protocol='standard'):
    try:
        return get_metric(name)(fused, sources, gt, protocol=protocol)
    except (MetricInputError, ValueError) as exc:  # e.g. MetricUndefinedError
        return type(exc).__name__


@pytest.mark.parametrize('name', list_metrics('standard'))
def test_h_w_1_is_grey_and_colour_is_bt601_luma_under_standard(name):
    side = get_metric(name).spec.min_side('standard')  # MS_SSIM: 5 scales, 176 pixels
    f, a, b = (_rgb(s, max(64, side), max(72, side)).astype(np.float64) for s in (1, 2, 3))
    weights = np.array([0.299, 0.587, 0.114])
    luma = [x @ weights for x in (f, a, b)]  # (H, W) each
    expected = _call(name, luma[0], luma[1:], luma[1])
    assert isinstance(expected, float)  # a value on these textures, for every metric
    assert _call(name, f, [a, b], a) == expected
    grey3 = [x[..., None] for x in luma]  # (H, W, 1) each
    assert _call(name, grey3[0], grey3[1:], grey3[1]) == expected


@pytest.mark.parametrize('protocol', ['standard', 'cddfuse', 'tang', 'vifb', 'mefb'])
def test_an_array_and_its_saved_file_give_the_same_values(tmp_path, protocol):
    paths = []
    for seed in (4, 5, 6):
        path = tmp_path / f'{seed}.png'
        cv2.imwrite(str(path), _rgb(seed)[..., ::-1])  # RGB -> BGR for OpenCV
        paths.append(path)
    for path, seed in zip(paths, (4, 5, 6)):
        np.testing.assert_array_equal(
            protocol_image(_rgb(seed), protocol), read_for_protocol(path, protocol)
        )
    names = ('EN', 'SD', 'SF', 'MI', 'Qabf', 'SSIM', 'PSNR')
    names = [n for n in names if protocol in get_metric(n).spec.protocols]
    fused, *srcs = (read_for_protocol(p, protocol) for p in paths)
    from_files = evaluate_image(names, fused, srcs, protocol=protocol)
    from_arrays = evaluate_image(names, _rgb(4), [_rgb(5), _rgb(6)], protocol=protocol)
    assert from_arrays == from_files and not from_arrays[1] and len(from_arrays[0]) == len(names)


def test_grey_conversions_follow_each_protocol():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], np.uint8)  # (1, 4, 3)
    np.testing.assert_allclose(protocol_image(rgb, 'standard'), [[76.245, 149.685, 29.07, 18.15]])
    assert protocol_image(rgb, 'standard').dtype == np.float64
    cdd = protocol_image(rgb, 'cddfuse')
    assert cdd.dtype == np.float32 and cdd.tolist() == [[76.0, 150.0, 29.0, 18.0]]
    tang = protocol_image(rgb, 'tang')  # MATLAB rgb2gray, rounded to uint8
    assert tang.dtype == np.uint8 and tang.tolist() == [[76, 150, 29, 18]]
    assert protocol_image(rgb, 'vifb') is rgb and protocol_image(rgb, 'mefb') is rgb
    grey = rgb[..., 0].astype(np.float64)
    assert protocol_image(grey, 'standard') is grey  # (H, W) untouched: the cache keys on it
    assert protocol_image(grey[..., None], 'tang').shape == (1, 4)


@pytest.mark.parametrize('shape', [(16, 16, 2), (16, 16, 4), (16, 16, 3, 1)])
def test_other_shapes_are_refused_naming_the_metric_and_the_shapes_expected(shape):
    good = np.zeros((16, 16))
    with pytest.raises(MetricInputError) as info:
        get_metric('Qabf')(good, [good, np.zeros(shape)])
    assert str(info.value) == (
        'Qabf: source 1 must be a 2-D grey (H, W) or a 3-D grey (H, W, 1) or RGB (H, W, 3) '
        f'array, got shape {shape}'
    )
    assert isinstance(info.value, FusionBoxError) and isinstance(info.value, ValueError)
    values, errors = evaluate_image(['EN', 'Qabf'], np.zeros(shape), [good, good])
    assert values == {} and set(errors) == {'EN', 'Qabf'}
    assert errors['EN'].startswith('EN: fused must be a 2-D grey (H, W)')
