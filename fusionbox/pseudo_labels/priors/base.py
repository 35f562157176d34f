"""What a fusion prior is: a training-free method that turns N registered sources into a label.

A prior is called as ``prior(sources, sample=None)`` with ``sources`` a list of N float arrays
``(H, W, C)`` (C = 1 or 3, RGB) in [0, 1] and returns the fused **luma** ``(H, W)`` float32 in
[0, 1]. Colour is handled once, by the pseudo-label pipeline: the luma of every source is fused
here and the chroma of the colour sources is carried with :func:`fusionbox.utils.color.fuse_chroma`.
``sample`` is the dataset entry (``stem``, ``source_paths``...), used by the adapters.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from fusionbox.tasks import all_tasks

from ..ops import to_luma


class BasePrior:
    """Base class: subclasses implement :meth:`fuse` on the stacked lumas.

    Attributes:
        min_sources: the fewest sources the method accepts.
    """

    min_sources: int = 2

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def tasks(self) -> tuple:
        """The tasks whose spec runs this prior by default (``priors``; informative: every
        prior runs on any task)."""
        return tuple(s.name for s in all_tasks() if self.name in s.priors)

    def __call__(self, sources: Sequence[np.ndarray], sample: dict | None = None) -> np.ndarray:
        if len(sources) < self.min_sources:
            raise ValueError(
                f'{self.name} needs at least {self.min_sources} sources, ' f'got {len(sources)}'
            )
        # the lumas of split_luma, without its chroma fusion (the pipeline fuses chroma once)
        lumas = np.stack([to_luma(s) for s in sources])  # (N, H, W)
        fused = self.fuse(lumas, sources=sources, sample=sample)
        return np.clip(np.nan_to_num(fused), 0, 1).astype(np.float32)

    def fuse(
        self, lumas: np.ndarray, sources: Sequence[np.ndarray] = (), sample: dict | None = None
    ) -> np.ndarray:
        """Fuse ``lumas`` (N, H, W) in [0, 1] into (H, W)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'{self.name}()'
