"""The embedded IVF split as a downstream data set: infrared and visible folders, YOLO boxes and
class maps of the generator's warm objects, and its train / test stems.

Layout written under ``out_dir`` (images copied from the embedded cache)::

    ir/<stem>.png  vi/<stem>.png
    labels/det/<stem>.txt  classes.txt (warm-object)           train.txt  test.txt
    labels/seg/<stem>.png  classes.txt (background, warm-object) train.txt  test.txt

The train stems come from the embedded ``train`` split and the test stems from ``test`` (disjoint
crops of the base images).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

import numpy as np

from fusionbox.utils.image_io import read_image, write_image
from fusionbox.utils.io import atomic_write_json, atomic_write_text

from .labels import CLASSES_FILE, SPLIT_FILES, format_yolo, pixels_to_yolo

DET_CLASSES = ('warm-object',)
SEG_CLASSES = ('background', 'warm-object')
DONE = 'prepared.json'


def prepare_embedded_ivf(
    out_dir, num_train: int = 32, num_test: int = 16, size: int = 128, seed: int = 0
) -> Dict[str, Path]:
    """Write (once) the downstream layout of the embedded IVF data; return the folders
    ``{'ir', 'vi', 'det', 'seg'}``. A folder prepared with the same arguments is reused."""
    from fusionbox.datasets.embedded import build_embedded_split
    from fusionbox.datasets.embedded.builder import MASK_DIR
    from fusionbox.datasets.embedded.ivf import SOURCES, object_boxes

    out = Path(out_dir)
    folders = {
        **{s: out / s for s in SOURCES},
        'det': out / 'labels/det',
        'seg': out / 'labels/seg',
    }
    wanted = dict(num_train=num_train, num_test=num_test, size=size, seed=seed)
    done = out / DONE
    if done.is_file() and done.read_text().strip() == str(sorted(wanted.items())):
        return folders
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    # below, overwrite=True: this function's own cache, remade when its arguments change
    stems = {}
    for split, count in (('train', num_train), ('test', num_test)):
        split_dir = build_embedded_split('ivf', split, seed, size, count)
        stems[split] = []
        for mask_path in sorted((split_dir / MASK_DIR).glob('*.png'))[:count]:
            stem = mask_path.stem
            for source in SOURCES:
                shutil.copyfile(
                    split_dir / source / mask_path.name, folders[source] / mask_path.name
                )
            mask = np.rint(read_image(mask_path)[..., 0] * 255).astype(np.uint8)  # (H, W) ids
            boxes = object_boxes(mask)
            keep = boxes[:, 2] > boxes[:, 0]
            yolo = pixels_to_yolo(boxes[keep], mask.shape[1], mask.shape[0])
            labels = format_yolo([0] * len(yolo), yolo)
            atomic_write_text(folders['det'] / f'{stem}.txt', labels, overwrite=True)
            write_image(folders['seg'] / f'{stem}.png', (mask > 0).astype(np.uint8), overwrite=True)
            stems[split].append(stem)
    for key, classes in (('det', DET_CLASSES), ('seg', SEG_CLASSES)):
        text = ''.join(f'{c}\n' for c in classes)
        atomic_write_text(folders[key] / CLASSES_FILE, text, overwrite=True)
        for split, name in SPLIT_FILES.items():
            text = ''.join(f'{s}\n' for s in stems[split])
            atomic_write_text(folders[key] / name, text, overwrite=True)
    atomic_write_json(out / 'meta.json', wanted, overwrite=True)
    atomic_write_text(done, str(sorted(wanted.items())) + '\n', overwrite=True)
    return folders
