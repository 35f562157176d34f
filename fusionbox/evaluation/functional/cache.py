"""Compute what a metric derives from an image once, while that image is evaluated.

Several fused candidates of one sample (a leaderboard's methods, the pseudo-label selector's
priors, the refiner's line search) share their sources, and the metrics of one image share
their inputs. Inside ``with source_cache():`` a quantity derived from an array (a source's
Sobel maps, its VIF pyramid, its SSIM moments, the finiteness check) is computed on first use
and reused for the *same array object*; outside a scope nothing is kept.

Keys are the identity of the arrays (``id``), and the scope holds a reference to every keyed
array so that an id cannot be reused while the scope is open. So: do not modify an array in
place while a scope that has seen it is open. The scope is per thread and is handed to the
workers of :func:`~.parallel.parallel_map`.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Sequence

import numpy as np

_STATE = threading.local()


def active_store() -> dict | None:
    """The store of this thread's open scope, or None."""
    return getattr(_STATE, 'store', None)


@contextmanager
def source_cache(store: dict | None = None):
    """Open a scope (a nested one shares the enclosing store); ``store`` enters a given one,
    as :func:`~.parallel.parallel_map` does for its workers. Yields the store."""
    previous = active_store()
    _STATE.store = store if store is not None else (previous if previous is not None else {})
    try:
        yield _STATE.store
    finally:
        _STATE.store = previous


def cached(tag, arrays: Sequence, compute: Callable):
    """``compute()``, reused for the same ``tag`` and the same array objects inside a scope.

    The returned value is shared: callers must not modify it in place.
    """
    store = active_store()
    if store is None:
        return compute()
    arrays = tuple(arrays)
    key = (tag, tuple(id(a) for a in arrays))
    hit = store.get(key)
    if hit is not None and all(x is y for x, y in zip(hit[0], arrays)):
        return hit[1]
    value = compute()
    store[key] = (arrays, value)
    return value


def scoped(fn: Callable) -> Callable:
    """``fn`` run inside a :func:`source_cache` scope (the enclosing one if open), so that what
    it derives from an array repeated across its inner calls (a grey source repeated for each
    colour channel, an image in several of a metric's comparisons) is computed once."""

    @wraps(fn)
    def wrapped(*args, **kwargs):
        with source_cache():
            return fn(*args, **kwargs)

    return wrapped


def keyed_grey(x):
    """``grey(x)``, except that a 2-D array is returned itself (``grey`` gives a new view), so
    that the same source keys the cache across calls."""
    from .base import grey

    return x if isinstance(x, np.ndarray) and x.ndim == 2 else grey(x)
