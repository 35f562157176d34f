"""The pseudo-label pipeline: priors -> candidates -> task-aware selection -> Fusion Refiner.

:class:`PseudoLabelPipeline` makes the label of one sample; :func:`run_pipeline` runs it over a
dataset in worker processes, resumably, and writes for every sample

* ``OUTDIR/labels/<stem>.png``: the refined pseudo-label (colour when a source is colour);
* ``OUTDIR/selected/<stem>.png``: the selected candidate before refinement;
* ``OUTDIR/provenance/<stem>.json``: candidates, their metrics and scores, the pick, the
  refiner's findings and actions, and the sample's ``fingerprint`` (a digest of the settings and
  of the source files' bytes); written last: a sample is finished when its provenance exists and
  records the current fingerprint, so a resumed run re-does the samples whose priors, selector,
  refiner or source images changed.

A sample that fails (a bad image, mismatched sizes) is reported and skipped; the others are
still labelled. Worker processes end with the parent, even when it is killed with SIGKILL.
"""

from __future__ import annotations

import concurrent.futures as futures
import hashlib
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence

from fusionbox.evaluation.functional.cache import source_cache
from fusionbox.registry import PRIORS, REFINERS, SELECTORS
from fusionbox.tasks import SpecView, task_index
from fusionbox.utils.image_io import read_image, read_sources, write_image
from fusionbox.utils.io import atomic_write_json
from fusionbox.utils.process import exit_with_parent

from .ops import recompose, split_luma
from .priors.adapters import MissingResult

#: Priors run by default for each task (registry names): a live view of each task spec's
#: ``priors`` (:mod:`fusionbox.tasks`).
DEFAULT_PRIORS = SpecView('priors')

PriorSpec = str | Mapping


def _build(registry, spec, what: str):
    if not isinstance(spec, str | Mapping):
        return spec  # already built
    cfg = dict(type=spec) if isinstance(spec, str) else dict(spec)
    if registry.get(cfg['type']) is None:
        raise KeyError(
            f'unknown {what} {cfg["type"]!r}; registered: '
            f'{", ".join(sorted(registry.module_dict))}'
        )
    return registry.build(cfg)


class PseudoLabelPipeline:
    """Make the pseudo-label of one sample.

    Args:
        task: one of :data:`fusionbox.structures.TASKS`.
        priors: prior names or configs. Defaults to None (:data:`DEFAULT_PRIORS` of the task).
        results: external results folders ``{name: folder}`` added as
            :class:`~.priors.ResultsFolder` candidates. Defaults to None.
        selector: selector config. Defaults to None (``TaskAwareSelector``).
        refiner: refiner config; False turns refinement off. Defaults to None
            (``FusionRefiner``).
    """

    def __init__(
        self,
        task: str,
        priors: Sequence[PriorSpec] | None = None,
        results: Mapping[str, str] | None = None,
        selector=None,
        refiner=None,
    ) -> None:
        task_index(task)
        self.task = task
        specs = list(DEFAULT_PRIORS[task] if priors is None else priors)
        specs += [
            dict(type='ResultsFolder', root=str(root), name=name)
            for name, root in (results or {}).items()
        ]
        if not specs:
            raise ValueError('no prior given')
        self.priors = [_build(PRIORS, s, 'prior') for s in specs]
        names = [p.name for p in self.priors]
        if len(set(names)) != len(names):
            raise ValueError(f'two priors share a name: {names}')
        self.selector = _build(SELECTORS, selector or 'TaskAwareSelector', 'selector')
        self.refiner = (
            None if refiner is False else _build(REFINERS, refiner or 'FusionRefiner', 'refiner')
        )

    def __call__(self, sample: dict) -> dict:
        """Label one ``data_list`` entry; returns ``label``, ``selected`` (images in [0, 1],
        grey or RGB) and ``provenance`` (a JSON-able dict)."""
        t0 = time.perf_counter()
        sources = read_sources(sample['source_paths'])
        lumas, chroma = split_luma(sources)  # (N, H, W), (H, W, 2) or None
        gt = None
        if sample.get('gt_path'):
            gt = split_luma([read_image(sample['gt_path'])])[0][0]
        candidates, missing = {}, {}
        for prior in self.priors:
            try:
                candidates[prior.name] = prior(sources, sample)
            except MissingResult as exc:
                if getattr(prior, 'missing', 'error') != 'skip':
                    raise
                missing[prior.name] = str(exc)
        with source_cache():  # the sources' side of the metrics once for every candidate
            return self._label(sample, sources, lumas, chroma, gt, candidates, missing, t0)

    def _label(self, sample, sources, lumas, chroma, gt, candidates, missing, t0) -> dict:
        selection = self.selector.select(candidates, lumas, self.task, gt)
        selected = candidates[selection.pick]
        record = dict(
            stem=sample['stem'],
            task=self.task,
            source_paths=list(sample['source_paths']),
            source_names=list(sample.get('source_names', [])),
            colour=chroma is not None,
            candidates={
                n: dict(score=selection.scores[n], metrics=selection.metrics[n]) for n in candidates
            },
            missing_candidates=missing,
            **selection.to_dict(),
        )
        record.pop('scores'), record.pop('metrics')
        label = selected
        if self.refiner is not None:

            def scorer(image):
                return self.selector.score(image, selection, lumas, self.task, gt)[0]

            refinement = self.refiner.refine(
                selected, lumas, self.task, scorer, score=selection.scores[selection.pick]
            )
            label = refinement.image
            record['refinement'] = refinement.to_dict()
        else:
            score = selection.scores[selection.pick]
            record['refinement'] = dict(
                score_selected=score, score_refined=score, gain=0.0, actions=[], disabled=True
            )
        record['seconds'] = round(time.perf_counter() - t0, 3)
        return dict(
            label=recompose(label, chroma), selected=recompose(selected, chroma), provenance=record
        )


# --- running over a dataset -----------------------------------------------------------------
def output_paths(out_dir, stem: str) -> dict:
    out = Path(out_dir)
    return dict(
        label=out / 'labels' / f'{stem}.png',
        selected=out / 'selected' / f'{stem}.png',
        provenance=out / 'provenance' / f'{stem}.json',
    )


def is_finished(out_dir, stem: str, fingerprint: Mapping | None = None) -> bool:
    """Whether the sample ``stem`` has its label and provenance in ``out_dir`` (and, when
    ``fingerprint`` is given, its provenance records that fingerprint)."""
    paths = output_paths(out_dir, stem)
    if not (paths['provenance'].is_file() and paths['label'].is_file()):
        return False
    if fingerprint is None:
        return True
    try:
        record = json.loads(paths['provenance'].read_text())
    except (OSError, ValueError):
        return False
    return record.get('fingerprint') == dict(fingerprint)


def settings_digest(config: Mapping) -> str:
    """A digest of the pipeline settings (:class:`PseudoLabelPipeline` keyword arguments), the
    task's default priors resolved to their names."""
    resolved = dict(config)
    if resolved.get('priors') is None and resolved.get('task') is not None:
        resolved['priors'] = list(DEFAULT_PRIORS[resolved['task']])
    text = json.dumps(resolved, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sample_fingerprint(sample: Mapping, settings: str) -> dict:
    """``dict(settings, inputs)``: ``settings`` (:func:`settings_digest`) and a digest of the
    bytes of the sample's source (and ground-truth) files; an unreadable file digests as its
    error, so the sample is tried again and reports it."""
    digest = hashlib.sha256()
    for path in [*sample['source_paths'], *([sample['gt_path']] if sample.get('gt_path') else [])]:
        try:
            digest.update(Path(path).read_bytes())
        except OSError as exc:
            digest.update(repr(exc).encode())
    return dict(settings=settings, inputs=digest.hexdigest()[:16])


def process_and_write(
    pipeline: PseudoLabelPipeline, sample: dict, out_dir, fingerprint: Mapping | None = None
) -> dict:
    """Label one sample and write its outputs atomically (provenance last, with
    ``fingerprint``)."""
    result = pipeline(sample)
    paths = output_paths(out_dir, sample['stem'])
    # a sample without current provenance is unfinished: its own earlier outputs are replaced
    write_image(paths['label'], result['label'], overwrite=True)
    write_image(paths['selected'], result['selected'], overwrite=True)
    record = result['provenance']
    record['label_path'] = str(paths['label'])
    record['selected_path'] = str(paths['selected'])
    record['fingerprint'] = dict(fingerprint or {})
    atomic_write_json(paths['provenance'], record, overwrite=True)
    return dict(stem=sample['stem'], pick=record['pick'], gain=record['refinement']['gain'])


_WORKER: Dict[str, PseudoLabelPipeline] = {}
#: What a failing sample raises (it is reported and skipped): bad files, sizes, missing results,
#: numerical or memory errors in a prior; BrokenProcessPool is a RuntimeError.
SAMPLE_ERRORS = (OSError, ValueError, KeyError, RuntimeError, MemoryError)


def _worker_init(config: dict, parent_pid: int) -> None:
    exit_with_parent(parent_pid)  # never an orphan, even when the parent is SIGKILLed
    import cv2

    cv2.setNumThreads(1)
    import fusionbox.pseudo_labels  # noqa: F401  (registers the components)

    _WORKER['pipeline'] = PseudoLabelPipeline(**config)


def _worker_run(sample: dict, out_dir: str, fingerprint: dict) -> dict:
    return process_and_write(_WORKER['pipeline'], sample, out_dir, fingerprint)


def _message(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return (text or type(exc).__name__).splitlines()[0]


def run_pipeline(
    samples: Sequence[dict],
    out_dir,
    config: dict,
    workers: int = 1,
    resume: bool = True,
    progress: bool = True,
    report: Callable[[str], None] | None = None,
) -> dict:
    """Run the pipeline over ``samples`` (dataset ``data_list`` entries).

    Args:
        config: keyword arguments of :class:`PseudoLabelPipeline` (plain, picklable).
        workers: worker processes; 1 runs in this process. Defaults to 1.
        resume: skip samples whose outputs exist with the current fingerprint (same settings,
            same source bytes). Defaults to True.
        progress: show a tqdm progress bar. Defaults to True.
        report: called with ``'<stem>: <error>'`` for each failed sample. Defaults to None
            (tqdm's write to stderr).

    Returns:
        ``dict(done=[...], skipped=[stems], failed=[(stem, error)])``.
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    stems = [s['stem'] for s in samples]
    if len(set(stems)) != len(stems):
        dup = next(s for s in stems if stems.count(s) > 1)
        raise ValueError(f'two samples share the stem {dup!r}; outputs are named by stem')
    digest = settings_digest(config)
    prints = {s['stem']: sample_fingerprint(s, digest) for s in samples}
    todo = [
        s for s in samples if not (resume and is_finished(out_dir, s['stem'], prints[s['stem']]))
    ]
    skipped = [s['stem'] for s in samples if s not in todo]
    done: List[dict] = []
    failed: List[tuple] = []
    bar = tqdm(
        total=len(todo),
        desc=f'pseudo-labels {config.get("task", "")}',
        disable=not progress or not todo,
        unit='sample',
    )

    def fail(stem: str, exc: BaseException) -> None:
        failed.append((stem, _message(exc)))
        (report or (lambda line: tqdm.write(line, file=sys.stderr)))(f'{stem}: {_message(exc)}')

    if workers <= 1 or len(todo) <= 1:
        pipeline = PseudoLabelPipeline(**config)
        for sample in todo:
            try:
                done.append(process_and_write(pipeline, sample, out_dir, prints[sample['stem']]))
            except SAMPLE_ERRORS as exc:
                fail(sample['stem'], exc)
            bar.update()
    else:
        ctx = mp.get_context('spawn')
        with futures.ProcessPoolExecutor(
            min(workers, len(todo)),
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(config, os.getpid()),
        ) as pool:
            jobs = {
                pool.submit(_worker_run, s, str(out_dir), prints[s['stem']]): s['stem']
                for s in todo
            }
            try:
                for job in futures.as_completed(jobs):
                    try:
                        done.append(job.result())
                    except SAMPLE_ERRORS as exc:
                        fail(jobs[job], exc)
                    bar.update()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    bar.close()
    return dict(done=done, skipped=skipped, failed=failed)
