"""Folders of samples: read each sample as the protocol's evaluator does and score its fused
candidates, the samples spread over worker processes.

One :class:`SampleJob` is one sample: its source files, one or more fused candidates (the
metrics command has one, a leaderboard one per method) and an optional ground truth. The
candidates of a sample are scored together (:func:`~.functional.evaluate_candidates`: the
sources' side of each metric once). :func:`evaluate_samples` runs the jobs in ``workers``
processes (each with one thread, so two processes use two cores); the results come back
in the jobs' order and equal the serial run's exactly (same code, same inputs, no shared
state). With ``skip_bad`` a sample that cannot be scored (a file that cannot be read, images
whose sizes differ) comes back as a :class:`BadSample` naming the files, in the worker
processes as in the serial run.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from fusionbox.utils.errors import FusionBoxError

from .functional import evaluate_candidates
from .functional.base import MetricInputError, order_sources
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


@dataclass(frozen=True)
class BadSample:
    """A sample that could not be scored: its key and the one-line reason, which names the
    file (or, for sizes that differ, the files and their sizes)."""

    key: str
    reason: str


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
    job: SampleJob,
    names: Sequence[str],
    protocol: str,
    threads: int | None = None,
    skip_bad: bool = False,
) -> List[Result] | BadSample:
    """Read one sample and score each of its candidates; one ``(values, errors)`` each.

    With ``skip_bad``, a :class:`BadSample` instead when a file cannot be read or the images'
    sizes differ; otherwise a read error raises (naming the file) and sizes that differ are
    left to each metric (an error per metric).
    """
    try:
        srcs = [read_for_protocol(p, protocol) for p in job.sources]
        candidates = [read_for_protocol(p, protocol) for p in job.fused]
        gt = read_for_protocol(job.gt, 'standard') if job.gt is not None else None
        if skip_bad:
            check_sizes(job, srcs, candidates, gt)
    except (FusionBoxError, OSError) as exc:
        if not skip_bad:
            raise
        return BadSample(job.key, str(exc))
    srcs = order_sources(srcs, list(job.source_names) or None, protocol)
    return evaluate_candidates(names, candidates, srcs, gt, protocol, threads)


def check_sizes(job: SampleJob, sources: Sequence, candidates: Sequence, gt=None) -> None:
    """MetricInputError naming every file of ``job`` and its size (W x H) when the images'
    sizes differ (``sources`` and ``candidates`` in the job's order)."""
    images = list(zip(job.sources, sources)) + list(zip(job.fused, candidates))
    images += [(job.gt, gt)] if gt is not None else []
    if len({a.shape[:2] for _, a in images}) > 1:
        sizes = ', '.join(f'{path} ({a.shape[1]}x{a.shape[0]})' for path, a in images)
        raise MetricInputError(f'image sizes differ: {sizes}')


def _one_thread() -> None:
    """Worker start-up: one thread for the metrics, their filters and OpenCV (the processes
    already use the cores)."""
    import cv2

    os.environ['FUSIONBOX_METRIC_THREADS'] = '1'
    cv2.setNumThreads(1)


def _score_in_worker(args) -> List[Result] | BadSample:
    job, names, protocol, skip_bad = args
    return score_sample(job, names, protocol, threads=1, skip_bad=skip_bad)


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
    skip_bad: bool = False,
) -> List[List[Result] | BadSample]:
    """Score every job; ``workers`` processes (default :func:`default_workers`; 1 = in this
    process, the metrics of an image then spread over threads). Returns, per job in order, one
    ``(values, errors)`` per candidate. A file that cannot be read raises (naming the file);
    with ``skip_bad`` a sample that cannot be scored gives a :class:`BadSample` instead
    (see :func:`score_sample`) and the others are scored."""
    jobs = list(jobs)
    workers = default_workers() if workers is None else max(1, int(workers))
    workers = min(workers, len(jobs))
    if workers <= 1:
        return [score_sample(job, names, protocol, skip_bad=skip_bad) for job in jobs]
    context = worker_context()
    args = [(job, list(names), protocol, skip_bad) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread) as pool:
        return list(pool.map(_score_in_worker, args))
