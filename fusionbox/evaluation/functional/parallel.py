"""Thread pools of the metric library (NumPy, SciPy and OpenCV release the GIL on images).

Two separate pools, so that a metric running in the metric-level pool may itself use the
filter-level pool without waiting on its own workers. Pools are made per process: a pool
inherited through ``fork`` (pseudo-label and data-loader workers) has no threads in the child.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from .cache import active_store, source_cache

_POOLS: dict = {}


def default_threads() -> int:
    """``FUSIONBOX_METRIC_THREADS`` if set, else min(2, CPUs)."""
    env = os.environ.get('FUSIONBOX_METRIC_THREADS')
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f'FUSIONBOX_METRIC_THREADS must be an integer, got {env!r}') from None
    return max(1, min(2, os.cpu_count() or 1))


def thread_pool(kind: str = 'filters', size: int | None = None) -> ThreadPoolExecutor:
    """The process's pool for ``kind`` ('filters' or 'metrics') with ``size`` workers
    (default :func:`default_threads`), created on first use."""
    size = default_threads() if size is None else size
    key = (kind, size, os.getpid())
    pool = _POOLS.get(key)
    if pool is None:
        pool = _POOLS[key] = ThreadPoolExecutor(size, thread_name_prefix=f'fusionbox-{kind}')
    return pool


def parallel_map(fn, items, kind: str = 'filters', size: int | None = None) -> list:
    """``[fn(x) for x in items]`` on :func:`thread_pool` (in order; serial for one item or one
    thread). NumPy's floating-point error state is per thread, so the caller's
    (e.g. ``np.errstate(all='ignore')`` of a metric) is applied in the workers too, and so is
    the caller's :func:`~.cache.source_cache` scope."""
    items = list(items)
    size = default_threads() if size is None else size
    if size <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    state = np.geterr()
    store = active_store()

    def run(x):
        with np.errstate(**state), source_cache(store) if store is not None else nullcontext():
            return fn(x)

    return list(thread_pool(kind, size).map(run, items))
