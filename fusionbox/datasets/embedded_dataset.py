"""The embedded default benchmark as a dataset (generated on first use, then cached)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from fusionbox.registry import DATASETS

from .embedded import (
    DEFAULT_NUM_SAMPLES,
    build_embedded_split,
    embedded_sources,
    has_gt,
    has_mask,
)
from .embedded.builder import GT_DIR, MASK_DIR
from .multi_source_dataset import MultiSourceFusionDataset


@DATASETS.register_module()
class EmbeddedFusionDataset(MultiSourceFusionDataset):
    """One split of the embedded benchmark for one task (see ``docs/user_guides/datasets.md``).

    Sources in model order: ivf ``('ir', 'vi')``, mif ``('func', 'mri')``, mef
    ``('under', 'over')``, mff ``('near', 'far')``. Ground truth for mef and mff; masks for ivf
    (warm-object instances) and mff (1 where the near source is in focus).

    Args:
        task: one of :data:`fusionbox.structures.TASKS`.
        split: 'train', 'val' or 'test'. Defaults to 'train'.
        seed: the random seed of the generation. Defaults to 0.
        size: image side in pixels. Defaults to 128.
        num_samples: samples in the split; defaults to 32 / 4 / 8 for train / val / test.
        root: the cache folder; defaults to ``cache_root()/embedded``.
        prompt: a text prompt given to every sample. Defaults to ''.
        with_mask: read the masks where the task has them. Defaults to True.
        pipeline: transforms. Defaults to ().
        test_mode: MMEngine's test mode. Defaults to False.
        **kwargs: passed to :class:`MultiSourceFusionDataset` (e.g. ``pseudo_label_dir``).
    """

    def __init__(
        self,
        task: str,
        split: str = 'train',
        seed: int = 0,
        size: int = 128,
        num_samples: int | None = None,
        root: str | Path | None = None,
        prompt: str = '',
        with_mask: bool = True,
        pipeline: Sequence = (),
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        for key in ('data_root', 'sources', 'gt', 'mask', 'layout', 'sample_dirs'):
            if key in kwargs:
                raise TypeError(f'EmbeddedFusionDataset sets {key!r} itself')
        num_samples = DEFAULT_NUM_SAMPLES.get(split, 1) if num_samples is None else num_samples
        folder = build_embedded_split(task, split, seed, size, num_samples, root)
        self.split, self.seed, self.size = split, seed, size
        self.num_samples = int(num_samples)  # a larger cache serves its first num_samples
        super().__init__(
            data_root=folder,
            task=task,
            sources=embedded_sources(task),
            gt=GT_DIR if has_gt(task) else None,
            mask=MASK_DIR if has_mask(task) and with_mask else None,
            prompt=prompt,
            pipeline=pipeline,
            test_mode=test_mode,
            **kwargs,
        )

    def _select_subset(self, root, rows: list) -> list:
        """The first ``num_samples`` samples of the split (its cache may hold more, made for a
        larger request), before the pseudo-labels are matched to them."""
        return super()._select_subset(root, rows)[: self.num_samples]
