"""A tiny labelled set on disk: warm rectangles on a dark background, seen by an infrared
(grey) and a visible (colour) camera, with YOLO boxes and class maps."""

from pathlib import Path

import numpy as np
import pytest

from fusionbox.downstream.labels import format_yolo, pixels_to_yolo
from fusionbox.utils.image_io import write_image

SIZE = 64
CLASSES = ('person', 'car')


def _sample(rng, index):
    """``(ir (H, W), vi (H, W, 3), class map (H, W), labels, pixel boxes)`` of one sample."""
    ir = rng.uniform(0.05, 0.2, (SIZE, SIZE))
    vi = rng.uniform(0.3, 0.6, (SIZE, SIZE, 3))
    classes = np.zeros((SIZE, SIZE), np.uint8)
    labels, boxes = [], []
    for k in range(1 + index % 2):
        w, h = rng.integers(12, 24, 2)
        x, y = rng.integers(0, SIZE - w), rng.integers(0, SIZE - h)
        label = (index + k) % 2
        ir[y : y + h, x : x + w] = 0.9
        vi[y : y + h, x : x + w] = (0.8, 0.2, 0.2) if label == 0 else (0.2, 0.2, 0.8)
        classes[y : y + h, x : x + w] = label + 1
        labels.append(label)
        boxes.append([x, y, x + w, y + h])
    return ir, vi, classes, labels, np.asarray(boxes, float)


@pytest.fixture(scope='session')
def tiny_set(tmp_path_factory) -> dict:
    """``{'ir', 'vi', 'det', 'seg': folder, 'boxes': {stem: (labels, pixel boxes)},
    'maps': {stem: class map}}`` of 6 samples (``s0``..``s5``)."""
    root = tmp_path_factory.mktemp('downstream_set')
    folders = {k: root / k for k in ('ir', 'vi', 'det', 'seg')}
    for folder in folders.values():
        folder.mkdir()
    rng = np.random.default_rng(0)
    boxes, maps = {}, {}
    for i in range(6):
        stem = f's{i}'
        ir, vi, classes, labels, pixel = _sample(rng, i)
        write_image(folders['ir'] / f'{stem}.png', ir)
        write_image(folders['vi'] / f'{stem}.png', vi)
        write_image(folders['seg'] / f'{stem}.png', classes)
        text = format_yolo(labels, pixels_to_yolo(pixel, SIZE, SIZE))
        (folders['det'] / f'{stem}.txt').write_text(text)
        boxes[stem], maps[stem] = (np.asarray(labels), pixel), classes
    (folders['det'] / 'classes.txt').write_text(
        ''.join(f'{i} {c}\n' for i, c in enumerate(CLASSES))
    )
    (folders['seg'] / 'classes.txt').write_text('background\n' + '\n'.join(CLASSES) + '\n')
    return dict(**folders, boxes=boxes, maps=maps)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
