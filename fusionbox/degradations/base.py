"""The interface every degradation follows (built-in or from a plugin).

A degradation maps one source image ``(H, W, C)`` float32 in [0, 1] (C = 1 grey or 3 RGB) to a
degraded image of the same shape and range. Its strength is drawn per image from ranges given in
the config, from the ``np.random.Generator`` passed in, so that the same seed gives the same
output.

Two ways to write one:

* override :meth:`BaseDegradation.apply` (the minimal interface, as third-party plugins do); or
* override :meth:`BaseDegradation.sample_params` (draw the strength: a small dict of numbers) and
  :meth:`BaseDegradation.render` (apply it). Built-in degradations do this so the drawn strength
  is recorded with the sample (:meth:`BaseDegradation.degrade`).

Source kinds (the ``source_names`` of the layouts): visible-light photographs (``vi`` and the
MEF/MFF sources), infrared (``ir``) and medical scans (``ct``, ``mri``, ``pet``, ``spect``).
"""

from __future__ import annotations

from numbers import Number
from typing import Sequence

import numpy as np

from fusionbox.tasks import RoleNames

#: Source names of visible-light photographs (IVF visible, MEF exposures, MFF focus settings),
#: of thermal infrared images and of medical scans: read live from the task specs' source_kinds.
VISIBLE, INFRARED, MEDICAL = RoleNames('visible'), RoleNames('infrared'), RoleNames('medical')

# Stages order the operations of one sample as light travels: scene (weather) -> exposure ->
# optics (blur) -> sampling (resolution) -> sensor (noise, stripes) -> codec (JPEG).
STAGE_SCENE, STAGE_EXPOSURE, STAGE_OPTICS, STAGE_SAMPLING, STAGE_SENSOR, STAGE_CODEC = range(6)


def as_range(value: float | tuple, name: str, low: float = -np.inf, high: float = np.inf) -> tuple:
    """Validate a config value that is a number or a ``(low, high)`` range; return a pair.

    Args:
        value: a number (a fixed value) or a pair ``(low, high)`` drawn uniformly per image.
        name: the argument's name, for the error message.
        low: smallest allowed value. Defaults to -inf.
        high: largest allowed value. Defaults to inf.
    """
    if isinstance(value, Number):
        pair = (float(value), float(value))
    else:
        pair = tuple(float(v) for v in value)
        if len(pair) != 2:
            raise ValueError(f'{name} must be a number or a (low, high) pair, got {value!r}')
    if pair[0] > pair[1]:
        raise ValueError(f'{name}: low {pair[0]} > high {pair[1]}')
    if pair[0] < low or pair[1] > high:
        raise ValueError(f'{name} must lie in [{low}, {high}], got {value!r}')
    return pair


def draw(rng: np.random.Generator, pair: tuple) -> float:
    """Draw uniformly from ``pair`` (a fixed value when low == high)."""
    return float(pair[0]) if pair[0] == pair[1] else float(rng.uniform(pair[0], pair[1]))


def luma(image: np.ndarray) -> np.ndarray:
    """(H, W) luma (BT.601) of an (H, W, C) image (C = 1 or 3)."""
    if image.shape[2] == 1:
        return image[..., 0]
    return image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


class BaseDegradation:
    """A synthetic degradation of one source image.

    Subclasses implement :meth:`apply`, or :meth:`sample_params` and :meth:`render`;
    ``applies_to`` names the source kinds it is meant for (source names such as ``'vi'`` or
    ``'ir'``, or ``'any'``); ``key`` is its short name (``fusionbox degrade --ops``, prompt bank);
    ``stage`` orders it among the operations of one sample (see ``STAGE_*``).

    Args:
        prob: probability of applying the degradation to a chosen source (used by
            :class:`DegradeSources`; the random composer draws its operations instead).
            Defaults to 1.
        applies_to: override the class's source kinds, e.g. ``('vi', 'ir')``. Defaults to None
            (the class's).
    """

    applies_to: tuple = ('any',)
    key: str = ''
    stage: int = STAGE_SENSOR

    def __init__(self, prob: float = 1.0, applies_to: Sequence[str] | None = None):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob
        if applies_to is not None:
            self.applies_to = (applies_to,) if isinstance(applies_to, str) else tuple(applies_to)

    @property
    def name(self) -> str:
        """The registered (class) name."""
        return type(self).__name__

    def sample_params(self, rng: np.random.Generator, shape: tuple) -> dict:
        """Draw this image's strength (a dict of plain numbers) for an image of ``shape``."""
        return {}

    def render(self, image: np.ndarray, params: dict, rng: np.random.Generator) -> np.ndarray:
        """Apply the degradation with the drawn ``params`` (``rng`` for per-pixel randomness)."""
        raise NotImplementedError(f'{self.name} implements neither apply() nor render()')

    def apply(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Degrade ``image`` (H, W, C) float32 in [0, 1]; return the same shape and range."""
        return self.render(image, self.sample_params(rng, image.shape), rng)

    def degrade(self, image: np.ndarray, rng: np.random.Generator) -> tuple:
        """Always apply (ignoring ``prob``); return ``(image, params)``, clipped to [0, 1].

        ``params`` is ``{}`` for degradations that only implement :meth:`apply`.
        """
        image = _as_hwc(image)
        if type(self).apply is not BaseDegradation.apply:  # a subclass with its own apply()
            out, params = self.apply(image, rng), {}
        else:
            params = self.sample_params(rng, image.shape)
            out = self.render(image, params, rng)
        out = np.clip(np.asarray(out, dtype=np.float32).reshape(image.shape), 0.0, 1.0)
        return out, {k: _plain(v) for k, v in params.items()}

    def accepts(self, source_name: str) -> bool:
        """Whether this degradation is meant for a source called ``source_name``."""
        return 'any' in self.applies_to or source_name in self.applies_to

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() >= self.prob:
            return image
        out = self.apply(np.asarray(image, dtype=np.float32), rng)
        return np.clip(out, 0.0, 1.0).astype(np.float32)

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in vars(self).items() if not k.startswith('_'))
        return f'{self.name}({args})'


def _as_hwc(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3):
        raise ValueError(f'expected an (H, W, 1) or (H, W, 3) image, got shape {image.shape}')
    return image


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
