"""``FolderDetDataset``: an mmdet dataset of the images in any folder with YOLO or COCO boxes.

Registered in mmdet's ``DATASETS`` (build it with ``default_scope='mmdet'``). One sample per
labelled stem that has an image in ``img_dir`` (fused results, infrared, visible...); boxes are
read from ``labels``: a folder of YOLO ``<stem>.txt`` files with ``classes.txt``, a folder holding
one COCO JSON file, or that file. Boxes are clipped to the image and boxes smaller than
``min_size`` pixels dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS

from fusionbox.utils.image_io import image_info

from .labels import (
    clip_boxes,
    coco_file,
    labelled_stems,
    pair_images,
    read_classes,
    read_coco,
    read_yolo,
    select_stems,
    yolo_to_pixels,
)


@DATASETS.register_module()
class FolderDetDataset(BaseDetDataset):
    """Detection samples: images of one folder, boxes of one labels folder or COCO file.

    Args:
        img_dir: the folder of images (any extension :mod:`fusionbox.utils.image_io` reads).
        labels: a folder of YOLO text files (``classes.txt`` beside them), a folder with one COCO
            JSON file, or the JSON file.
        stems: the labelled stems to use, in this order; None: every labelled stem with an image.
            Defaults to None.
        min_size: smallest box side in pixels after clipping. Defaults to 1.
        **kwargs: the rest of :class:`mmdet.datasets.BaseDetDataset` (``pipeline``,
            ``test_mode``, ``metainfo``...); ``metainfo.classes`` defaults to the labels' classes.
    """

    def __init__(
        self,
        img_dir: str,
        labels: str,
        stems: Sequence[str] | None = None,
        min_size: float = 1.0,
        **kwargs,
    ) -> None:
        if img_dir is None or labels is None:
            raise ValueError('FolderDetDataset needs img_dir and labels (folders)')
        self.img_dir, self.labels = Path(img_dir), Path(labels)
        self.stems, self.min_size = (list(stems) if stems is not None else None), min_size
        self._coco = coco_file(self.labels)
        self._coco_boxes = None
        classes = None
        if self._coco is not None:
            classes, self._coco_boxes = read_coco(self._coco)
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo.setdefault('classes', tuple(classes or read_classes(self.labels)))
        super().__init__(metainfo=metainfo, **kwargs)

    def _boxes(self, stem: str, width: int, height: int):
        if self._coco_boxes is not None:
            entry = self._coco_boxes[stem]
            return entry['labels'], entry['boxes']
        labels, boxes = read_yolo(self.labels / f'{stem}.txt')
        return labels, yolo_to_pixels(boxes, width, height)

    def load_data_list(self) -> List[dict]:
        """One dict per sample: ``img_path``, ``img_id`` (its index), ``height``, ``width``,
        ``stem`` and ``instances`` (``bbox`` x1 y1 x2 y2 pixels, ``bbox_label``,
        ``ignore_flag``)."""
        num_classes = len(self.metainfo['classes'])
        images = pair_images(self.img_dir, labelled_stems('det', self._coco or self.labels))
        stems = select_stems(images, self.stems, self.img_dir)
        data_list = []
        for idx, stem in enumerate(stems):
            height, width, _ = image_info(images[stem])
            labels, boxes = self._boxes(stem, width, height)
            if labels.size and labels.max() >= num_classes:
                raise ValueError(
                    f'labels of {stem!r} in {self.labels} use class {labels.max()} but there '
                    f'are {num_classes} classes'
                )
            boxes, keep = clip_boxes(boxes, width, height, self.min_size)
            instances = [
                dict(bbox=box.tolist(), bbox_label=int(label), ignore_flag=0)
                for box, label in zip(boxes, labels[keep])
            ]
            data_list.append(
                dict(
                    img_path=str(images[stem]),
                    img_id=idx,
                    stem=stem,
                    height=height,
                    width=width,
                    instances=instances,
                )
            )
        return data_list
