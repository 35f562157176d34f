"""Downstream labels on disk: detection boxes (YOLO text, COCO JSON), class names, class maps,
and the train / test split of a labelled folder.

Conventions, said once:

* a pixel box is ``[x1, y1, x2, y2]`` in pixels of the image as stored (x right, y down, corners
  as continuous coordinates, so a box covering pixel columns 0..9 is ``x1 = 0, x2 = 10``);
* a YOLO box is ``[cx, cy, w, h]`` normalised by the image width and height; a YOLO file has one
  ``class cx cy w h`` line per object (class 0-based, any whitespace);
* a class map is a single-channel PNG whose values are class indices (0-based, in the order of
  ``classes.txt``); 255 marks pixels to ignore;
* ``classes.txt`` lists one class a line, as ``name`` or ``index name`` (the MSRS release).

Nothing here imports mmdet or mmsegmentation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np

#: The file naming the classes of a labels folder.
CLASSES_FILE = 'classes.txt'
#: Files listing the stems of the train and test splits (one a line), optional.
SPLIT_FILES = {'train': 'train.txt', 'test': 'test.txt'}
#: Class-map value of pixels that no metric counts.
IGNORE_INDEX = 255


# --- boxes ---------------------------------------------------------------------------------------
def yolo_to_pixels(boxes, width: int, height: int) -> np.ndarray:
    """YOLO ``(N, 4)`` normalised ``cx, cy, w, h`` -> pixel ``(N, 4)`` ``x1, y1, x2, y2``
    (float64, not clipped)."""
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    cx, cy, w, h = b[:, 0] * width, b[:, 1] * height, b[:, 2] * width, b[:, 3] * height
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def pixels_to_yolo(boxes, width: int, height: int) -> np.ndarray:
    """Pixel ``(N, 4)`` ``x1, y1, x2, y2`` -> YOLO ``(N, 4)`` normalised ``cx, cy, w, h``."""
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    return np.stack(
        [
            (b[:, 0] + b[:, 2]) / 2 / width,
            (b[:, 1] + b[:, 3]) / 2 / height,
            (b[:, 2] - b[:, 0]) / width,
            (b[:, 3] - b[:, 1]) / height,
        ],
        axis=1,
    )


def read_yolo(path) -> Tuple[np.ndarray, np.ndarray]:
    """``(labels (N,) int64, boxes (N, 4) float64 YOLO)`` of a YOLO text file (empty lines
    skipped; ValueError naming the file and line for anything else than five numbers)."""
    labels, boxes = [], []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            if len(fields) != 5:
                raise ValueError
            label, values = int(fields[0]), [float(v) for v in fields[1:]]
        except ValueError:
            raise ValueError(
                f'{path} line {number}: expected "class cx cy w h", got {line.strip()!r}'
            ) from None
        if label < 0:
            raise ValueError(f'{path} line {number}: negative class {label}')
        labels.append(label)
        boxes.append(values)
    return np.asarray(labels, np.int64), np.asarray(boxes, np.float64).reshape(-1, 4)


def format_yolo(labels: Sequence[int], boxes) -> str:
    """The text of a YOLO file (``repr`` floats, so reading it back gives the same numbers)."""
    rows = np.asarray(boxes, np.float64).reshape(-1, 4)
    lines = [f'{int(c)} ' + ' '.join(repr(float(v)) for v in b) for c, b in zip(labels, rows)]
    return ''.join(f'{line}\n' for line in lines)


def clip_boxes(
    boxes, width: int, height: int, min_size: float = 1.0
) -> Tuple[np.ndarray, np.ndarray]:
    """``(clipped (M, 4), keep (N,) bool)``: pixel boxes clipped to the image; boxes narrower or
    lower than ``min_size`` pixels after clipping are dropped."""
    b = np.asarray(boxes, np.float64).reshape(-1, 4).copy()
    b[:, [0, 2]] = b[:, [0, 2]].clip(0, width)
    b[:, [1, 3]] = b[:, [1, 3]].clip(0, height)
    keep = ((b[:, 2] - b[:, 0]) >= min_size) & ((b[:, 3] - b[:, 1]) >= min_size)
    return b[keep], keep


def read_coco(path) -> Tuple[List[str], Dict[str, dict]]:
    """``(classes, {file stem: {'labels', 'boxes' (pixel x1 y1 x2 y2), 'width', 'height'}})`` of
    a COCO JSON file; category ids are mapped to 0-based labels in increasing id order and
    crowd boxes are left out."""
    try:
        coco = json.loads(Path(path).read_text())
        categories = sorted(coco['categories'], key=lambda c: c['id'])
        images = {im['id']: im for im in coco['images']}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f'{path} is not a COCO detection file ({exc})') from None
    label_of = {c['id']: i for i, c in enumerate(categories)}
    out = {
        Path(im['file_name']).stem: dict(
            labels=[], boxes=[], width=im.get('width'), height=im.get('height')
        )
        for im in images.values()
    }
    for ann in coco.get('annotations', []):
        if ann.get('iscrowd', 0):
            continue
        entry = out[Path(images[ann['image_id']]['file_name']).stem]
        x, y, w, h = ann['bbox']
        entry['labels'].append(label_of[ann['category_id']])
        entry['boxes'].append([x, y, x + w, y + h])
    for entry in out.values():
        entry['labels'] = np.asarray(entry['labels'], np.int64)
        entry['boxes'] = np.asarray(entry['boxes'], np.float64).reshape(-1, 4)
    return [c['name'] for c in categories], out


def coco_file(labels) -> Path | None:
    """The COCO JSON file that ``labels`` names (the file itself, or the one ``.json`` in the
    folder); None for a folder of YOLO files (ValueError when a folder holds several)."""
    labels = Path(labels)
    if labels.is_file():
        return labels
    found = sorted(p for p in labels.glob('*.json') if not p.name.startswith('.'))
    if len(found) > 1:
        raise ValueError(f'labels folder {labels} holds several JSON files; name one')
    return found[0] if found else None


# --- classes, class maps, splits -----------------------------------------------------------------
def read_classes(labels) -> List[str]:
    """Class names from ``classes.txt`` in the labels folder (or beside a COCO file), else in
    its parent (MSRS keeps one ``det_labels/classes.txt`` for its three label folders)."""
    labels = Path(labels)
    folder = labels if labels.is_dir() else labels.parent
    path = folder / CLASSES_FILE
    if not path.is_file() and (folder.parent / CLASSES_FILE).is_file():
        path = folder.parent / CLASSES_FILE
    if not path.is_file():
        raise FileNotFoundError(f'{path} does not exist: list the class names there, one a line')
    names = []
    for line in path.read_text().splitlines():
        fields = line.split()
        if fields:
            names.append(
                ' '.join(fields[1:]) if len(fields) > 1 and fields[0].isdigit() else line.strip()
            )
    if not names:
        raise ValueError(f'{path} names no class')
    return names


def read_class_map(path) -> np.ndarray:
    """A class-map PNG as (H, W) int64 class indices (grey or palette PNG; the palette's colours
    are ignored, its indices kept). ValueError naming the file for a colour image."""
    from PIL import Image

    from fusionbox.utils.image_io import image_info

    image_info(path)  # the reader's checks: exists, is an image, not truncated, size limit
    with Image.open(path) as im:
        if im.mode not in ('L', 'P', 'I', 'I;16', '1'):
            raise ValueError(f'class map {path} is {im.mode}; expected a single-channel PNG')
        return np.asarray(im).astype(np.int64)


def split_stems(
    stems: Sequence[str], labels, holdout_every: int = 3, holdout_offset: int | None = None
) -> Dict[str, List[str]]:
    """``{'train': [...], 'test': [...]}``: from ``train.txt`` / ``test.txt`` in the labels
    folder when both exist, else every ``holdout_every``-th stem in sorted order from
    ``holdout_offset`` on is a test stem (offset ``holdout_every // 2`` by default: the 2nd, 5th,
    8th... for 3; offsets 0..K-1 give the K folds of a cross-validation). Only stems in
    ``stems`` are kept."""
    folder = Path(labels) if Path(labels).is_dir() else Path(labels).parent
    files = {k: folder / v for k, v in SPLIT_FILES.items()}
    if all(f.is_file() for f in files.values()):
        present = set(stems)
        return {k: [s for s in f.read_text().split() if s in present] for k, f in files.items()}
    if holdout_every < 2:
        raise ValueError(f'holdout_every must be >= 2, got {holdout_every}')
    offset = holdout_every // 2 if holdout_offset is None else holdout_offset
    if not 0 <= offset < holdout_every:
        raise ValueError(f'holdout_offset must be in [0, {holdout_every}), got {offset}')
    ordered = sorted(stems)
    test = ordered[offset::holdout_every]
    return {'train': [s for s in ordered if s not in set(test)], 'test': test}


def labelled_stems(task: str, labels) -> List[str]:
    """The stems that carry labels: YOLO ``.txt`` or COCO images (det), class maps (seg)."""
    labels = Path(labels)
    if task == 'det' and coco_file(labels) is not None:
        return sorted(read_coco(coco_file(labels))[1])
    if not labels.is_dir():
        raise FileNotFoundError(f'labels folder {labels} does not exist')
    pattern = '*.txt' if task == 'det' else '*.png'
    reserved = {CLASSES_FILE, *SPLIT_FILES.values()}
    return sorted(
        p.stem
        for p in labels.glob(pattern)
        if p.name not in reserved and not p.name.startswith('.')
    )


def pair_images(img_dir, label_stems, what: str = 'input') -> Dict[str, Path]:
    """``{label stem: image path}`` for the images of ``img_dir`` that belong to a labelled stem
    (by :func:`fusionbox.utils.image_io.match_stem`, so ``<stem>_<method>.png`` results match);
    ValueError naming the folder when two images claim one stem."""
    from fusionbox.utils.image_io import list_images, match_stem

    stems = set(label_stems)
    out: Dict[str, Path] = {}
    for name, path in list_images(img_dir, what).items():
        stem = match_stem(name, stems)
        if stem is None:
            continue
        if stem in out:
            raise ValueError(
                f'{what} folder {img_dir}: {out[stem].name} and {path.name} both match {stem!r}'
            )
        out[stem] = path
    return out


def select_stems(images: Dict[str, Path], stems, img_dir) -> List[str]:
    """``stems`` (all of ``images``, sorted, when None), every one of them with an image;
    FileNotFoundError naming ``img_dir`` otherwise."""
    stems = list(stems) if stems is not None else sorted(images)
    missing = [s for s in stems if s not in images]
    if missing:
        raise FileNotFoundError(
            f'input folder {img_dir} has no image for {len(missing)} labelled stem(s), e.g. '
            f'{missing[0]!r}'
        )
    return stems
