"""``FolderSegDataset``: an mmseg dataset of the images in any folder with PNG class maps.

Registered in mmsegmentation's ``DATASETS`` (build it with ``default_scope='mmseg'``). One
sample per class map ``<labels>/<stem>.png`` that has an image in ``img_dir``; the class names
come from ``<labels>/classes.txt`` (class 0 first, usually ``background``).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .labels import IGNORE_INDEX, labelled_stems, pair_images, read_classes, select_stems


@DATASETS.register_module()
class FolderSegDataset(BaseSegDataset):
    """Segmentation samples: images of one folder, class maps of one labels folder.

    Args:
        img_dir: the folder of images.
        labels: the folder of class-map PNGs (values = class indices, 255 = ignore) with
            ``classes.txt``.
        stems: the labelled stems to use, in this order; None: every class map with an image.
            Defaults to None.
        **kwargs: the rest of :class:`mmseg.datasets.BaseSegDataset` (``pipeline``,
            ``test_mode``, ``metainfo``...); ``metainfo.classes`` defaults to ``classes.txt``.
    """

    def __init__(
        self, img_dir: str, labels: str, stems: Sequence[str] | None = None, **kwargs
    ) -> None:
        if img_dir is None or labels is None:
            raise ValueError('FolderSegDataset needs img_dir and labels (folders)')
        self.img_dir, self.labels = Path(img_dir), Path(labels)
        self.stems = list(stems) if stems is not None else None
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo.setdefault('classes', tuple(read_classes(self.labels)))
        kwargs.setdefault('ignore_index', IGNORE_INDEX)
        super().__init__(metainfo=metainfo, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One dict per sample: ``img_path``, ``seg_map_path``, ``stem``, ``num_classes`` and
        what mmseg's transforms expect (``label_map``, ``reduce_zero_label``, ``seg_fields``)."""
        images = pair_images(self.img_dir, labelled_stems('seg', self.labels))
        stems = select_stems(images, self.stems, self.img_dir)
        return [
            dict(
                img_path=str(images[stem]),
                seg_map_path=str(self.labels / f'{stem}.png'),
                stem=stem,
                num_classes=len(self.metainfo['classes']),
                label_map=self.label_map,
                reduce_zero_label=False,
                seg_fields=[],
            )
            for stem in stems
        ]
