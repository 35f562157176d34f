"""Folders of samples: read each sample as the protocol's evaluator does and score its fused
candidates, the samples spread over worker processes.

One :class:`SampleJob` is one sample: its source files, one or more fused candidates (the
metrics command has one, a leaderboard one per method) and an optional ground truth. The
candidates of a sample are scored together (:func:`~.functional.evaluate_candidates`: the
sources' side of each metric once). :func:`evaluate_samples` runs the jobs in ``workers``
processes (each with one thread, so two processes use two cores); the results come back
in the jobs' order and equal the serial run's exactly (same code, same inputs, no shared
state).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from .functional import evaluate_candidates
from .fusion_metric import order_sources
from .io import read_for_protocol

Result = Tuple[Dict[str, float], Dict[str, str]]


@dataclass(frozen=True)
class SampleJob:
    """One sample to score.

    Args:
        key: the sample's name in the results (its stem).
        sources: source files, in the order of ``source_names``.
        fused: fused candidates' files (one per method).
        source_names: names of the sources (``ir``, ``vi``, ...), used to put them in the
            protocol's order. Defaults to () (kept as given).
        gt: ground-truth file (full-reference metrics). Defaults to None.
    """

    key: str
    sources: Tuple[Path, ...]
    fused: Tuple[Path, ...]
    source_names: Tuple[str, ...] = ()
    gt: Path | None = None


def default_workers() -> int:
    """``FUSIONBOX_METRIC_WORKERS`` if set, else min(2, CPUs)."""
    env = os.environ.get('FUSIONBOX_METRIC_WORKERS')
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f'FUSIONBOX_METRIC_WORKERS must be an integer, got {env!r}') from None
    return max(1, min(2, os.cpu_count() or 1))


def score_sample(
    job: SampleJob, names: Sequence[str], protocol: str, threads: int | None = None
) -> List[Result]:
    """Read one sample and score each of its candidates; one ``(values, errors)`` each."""
    srcs = [read_for_protocol(p, protocol) for p in job.sources]
    srcs = order_sources(srcs, list(job.source_names) or None, protocol)
    candidates = [read_for_protocol(p, protocol) for p in job.fused]
    gt = read_for_protocol(job.gt, 'standard') if job.gt is not None else None
    return evaluate_candidates(names, candidates, srcs, gt, protocol, threads)


def _one_thread() -> None:
    """Worker start-up: one thread for the metrics, their filters and OpenCV (the processes
    already use the cores)."""
    import cv2

    os.environ['FUSIONBOX_METRIC_THREADS'] = '1'
    cv2.setNumThreads(1)


def _score_in_worker(args) -> List[Result]:
    job, names, protocol = args
    return score_sample(job, names, protocol, threads=1)


def worker_context():
    """Where worker processes come from. A fork of this process when it runs a single thread
    (cheap: the workers start with everything imported); otherwise a fork server (a fresh
    interpreter that imports this module once, then forks each worker), because forking a
    process whose native thread pools (OpenCV, torch, BLAS) are mid-wait can leave a lock held
    forever in the child; fresh interpreters where neither exists."""
    methods = multiprocessing.get_all_start_methods()
    if 'fork' in methods and _single_threaded():
        return multiprocessing.get_context('fork')
    if 'forkserver' in methods:
        context = multiprocessing.get_context('forkserver')
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context('spawn')


def _single_threaded() -> bool:
    """True when this process has one thread, native ones included (Linux ``/proc``)."""
    try:
        return len(os.listdir('/proc/self/task')) == 1
    except OSError:
        return False


def evaluate_samples(
    jobs: Sequence[SampleJob],
    names: Sequence[str],
    protocol: str,
    workers: int | None = None,
) -> List[List[Result]]:
    """Score every job; ``workers`` processes (default :func:`default_workers`; 1 = in this
    process, the metrics of an image then spread over threads). Returns, per job in order, one
    ``(values, errors)`` per candidate. A file that cannot be read raises (naming the file)."""
    jobs = list(jobs)
    workers = default_workers() if workers is None else max(1, int(workers))
    workers = min(workers, len(jobs))
    if workers <= 1:
        return [score_sample(job, names, protocol) for job in jobs]
    context = worker_context()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread) as pool:
        return list(pool.map(_score_in_worker, [(job, list(names), protocol) for job in jobs]))
