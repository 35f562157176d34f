"""Labels on disk: YOLO <-> pixel boxes, COCO JSON, classes, class maps, splits, embedded boxes."""

import json

import numpy as np
import pytest
from PIL import Image

from fusionbox.datasets.embedded.ivf import object_boxes
from fusionbox.downstream.labels import (
    format_yolo,
    pixels_to_yolo,
    read_class_map,
    read_classes,
    read_coco,
    read_yolo,
    split_stems,
    yolo_to_pixels,
)
from fusionbox.utils.paths import shared_data_root


def test_yolo_to_pixels_known_box():
    # centre (320, 240), 160 x 240 pixels on a 640 x 480 image
    np.testing.assert_array_equal(
        yolo_to_pixels([[0.5, 0.5, 0.25, 0.5]], 640, 480), [[240.0, 120.0, 400.0, 360.0]]
    )


def test_boxes_round_trip_yolo_pixels_yolo(tmp_path):
    rng = np.random.default_rng(1)
    yolo = np.column_stack([rng.uniform(0.1, 0.9, (50, 2)), rng.uniform(0.01, 0.2, (50, 2))])
    back = pixels_to_yolo(yolo_to_pixels(yolo, 640, 480), 640, 480)
    np.testing.assert_allclose(back, yolo, rtol=0, atol=1e-15)
    path = tmp_path / 'a.txt'
    path.write_text(format_yolo(np.arange(50) % 3, back))
    labels, read = read_yolo(path)
    np.testing.assert_array_equal(labels, np.arange(50) % 3)
    np.testing.assert_array_equal(read, back)  # repr floats: bit-exact through the text file


def test_read_yolo_names_the_bad_line(tmp_path):
    path = tmp_path / 'bad.txt'
    path.write_text('0 0.5 0.5 0.1 0.1\n\n1 0.5 0.5\n')
    with pytest.raises(ValueError, match=r'bad.txt line 3'):
        read_yolo(path)


def test_real_msrs_labels_fall_inside_the_image():
    labels_dir = shared_data_root() / 'ivf/MSRS/det_labels'
    if not labels_dir.is_dir():
        pytest.skip('shared MSRS data not found (set FUSIONBOX_SHARED_DATA)')
    assert read_classes(labels_dir) == ['person', 'bicycle', 'car']
    labels, boxes = read_yolo(labels_dir / 'fusion/00004N.txt')
    assert labels[0] == 0 and len(labels) == len(boxes) > 1
    pixels = yolo_to_pixels(boxes, 640, 480)
    np.testing.assert_allclose(pixels[0, 2] - pixels[0, 0], 0.08216594827586218 * 640)
    assert (
        (pixels[:, :2] >= 0).all() and (pixels[:, 2] <= 640).all() and (pixels[:, 3] <= 480).all()
    )


def test_read_coco_maps_ids_and_skips_crowds(tmp_path):
    coco = dict(
        images=[dict(id=7, file_name='x/a.jpg', width=100, height=50)],
        categories=[dict(id=9, name='car'), dict(id=3, name='person')],
        annotations=[
            dict(image_id=7, category_id=9, bbox=[10, 5, 20, 10], iscrowd=0),
            dict(image_id=7, category_id=3, bbox=[0, 0, 5, 5], iscrowd=1),
            dict(image_id=7, category_id=3, bbox=[1, 2, 3, 4]),
        ],
    )
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    classes, boxes = read_coco(tmp_path / 'ann.json')
    assert classes == ['person', 'car']  # increasing category id
    np.testing.assert_array_equal(boxes['a']['labels'], [1, 0])
    np.testing.assert_array_equal(boxes['a']['boxes'], [[10, 5, 30, 15], [1, 2, 4, 6]])


def test_class_map_palette_indices_and_colour_refused(tmp_path):
    classes = np.array([[0, 1, 2], [255, 1, 0]], np.uint8)
    im = Image.fromarray(classes, mode='P')
    im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [9] * (253 * 3))  # colours != indices
    im.save(tmp_path / 'p.png')
    np.testing.assert_array_equal(read_class_map(tmp_path / 'p.png'), classes)
    Image.fromarray(np.zeros((2, 3, 3), np.uint8)).save(tmp_path / 'rgb.png')
    with pytest.raises(ValueError, match='rgb.png is RGB'):
        read_class_map(tmp_path / 'rgb.png')


def test_split_stems_holdout_and_files(tmp_path):
    stems = [f's{i}' for i in range(9)]
    split = split_stems(stems, tmp_path, holdout_every=3)
    assert split['test'] == ['s1', 's4', 's7'] and len(split['train']) == 6
    folds = [split_stems(stems, tmp_path, 3, offset)['test'] for offset in range(3)]
    assert sorted(sum(folds, [])) == stems and folds[0] == ['s0', 's3', 's6']  # each stem once
    with pytest.raises(ValueError, match='holdout_offset'):
        split_stems(stems, tmp_path, 3, 3)
    (tmp_path / 'train.txt').write_text('s0\ns2\nzz\n')
    (tmp_path / 'test.txt').write_text('s5\n')
    assert split_stems(stems, tmp_path) == {'train': ['s0', 's2'], 'test': ['s5']}


def test_embedded_object_boxes_from_instance_mask():
    mask = np.zeros((10, 12), np.uint8)
    mask[2:5, 3:9] = 1
    mask[7, 0] = 2
    np.testing.assert_array_equal(object_boxes(mask), [[3, 2, 9, 5], [0, 7, 1, 8]])


def test_labelled_stems_skip_the_class_and_split_files(tmp_path):
    from fusionbox.downstream.labels import labelled_stems

    for name in ('b.txt', 'a.txt', 'classes.txt', 'train.txt', 'test.txt', '.hidden.txt', 'm.png'):
        (tmp_path / name).write_text('')
    assert labelled_stems('det', tmp_path) == ['a', 'b']
    assert labelled_stems('seg', tmp_path) == ['m']
