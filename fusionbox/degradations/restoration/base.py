"""What a restoration operator is: the inverse step of one or more degradations, training-free.

A restorer maps one degraded source ``(H, W, C)`` float32 in [0, 1] (C = 1 or 3) to a restored
image of the same shape and range, ``restorer(image)``. It names the degradations it undoes
(``restores``: registered degradation names); :func:`restorer_for` finds the one registered for a
degradation, so a plugin registering a learned restorer with the same ``restores`` (and a higher
``priority``) takes its place in the cascade.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from fusionbox.registry import RESTORERS


class BaseRestorer:
    """Base class: subclasses implement :meth:`restore` on a float32 (H, W, C) image.

    Attributes:
        restores: the registered degradation names this operator undoes.
        priority: among restorers of one degradation, the highest is chosen. Defaults to 0.
    """

    restores: Tuple[str, ...] = ()
    priority: int = 0

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, image: np.ndarray) -> np.ndarray:
        image = np.asarray(image, dtype=np.float32)
        if image.ndim == 2:
            return self(image[..., None])[..., 0]
        if image.ndim != 3 or image.shape[2] not in (1, 3):
            raise ValueError(f'{self.name}: expected an (H, W, 1|3) image, got {image.shape}')
        out = self.restore(np.clip(image, 0.0, 1.0))
        return np.clip(np.nan_to_num(out), 0.0, 1.0).astype(np.float32).reshape(image.shape)

    def restore(self, image: np.ndarray) -> np.ndarray:
        """Restore ``image`` (H, W, C) float32 in [0, 1]."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'{self.name}()'


def per_channel(fn, image: np.ndarray) -> np.ndarray:
    """Apply ``fn`` (an (H, W) -> (H, W) function) to every channel of (H, W, C)."""
    return np.stack([fn(image[..., c]) for c in range(image.shape[2])], axis=2)


def restorer_for(degradation: str) -> str:
    """The registered name of the restorer of ``degradation`` (highest ``priority``; KeyError
    naming the degradation and the covered ones when none is registered)."""
    found = [
        (getattr(cls, 'priority', 0), name)
        for name, cls in RESTORERS.module_dict.items()
        if isinstance(cls, type) and degradation in getattr(cls, 'restores', ())
    ]
    if not found:
        covered = sorted(
            {d for c in RESTORERS.module_dict.values() for d in getattr(c, 'restores', ())}
        )
        raise KeyError(
            f'no restorer registered for degradation {degradation!r}; covered: {", ".join(covered)}'
        )
    return max(found)[1]
