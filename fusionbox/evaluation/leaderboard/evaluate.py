"""Score methods' fused images on datasets (the samples every method has) and run FusionBox
models over datasets through the package's inferencer."""

from __future__ import annotations

from pathlib import Path
from typing import List, Sequence, Tuple

from fusionbox.utils.image_io import list_images, match_stem

from ..batch import BadSample, SampleJob, evaluate_samples
from ..functional import PROTOCOLS, get_metric, list_metrics
from .specs import DatasetSpec, ModelSpec, method_folder


def metric_names(protocol: str, metrics: Sequence[str] | None = None) -> List[str]:
    """``metrics`` checked (defined under ``protocol``, no-reference), or all no-reference
    metrics of the protocol."""
    if protocol not in PROTOCOLS:
        raise ValueError(
            f'unknown metric protocol {protocol!r}; expected one of ' f'{tuple(PROTOCOLS)}'
        )
    names = (
        list(metrics)
        if metrics
        else [n for n in list_metrics(protocol) if not get_metric(n).spec.needs_gt]
    )
    for n in names:
        fn = get_metric(n)
        if fn.spec.needs_gt:
            raise ValueError(f'{n} needs a ground truth; leaderboards use no-reference metrics')
        fn.spec.impl(protocol)
    return names


def evaluate_methods(
    methods: Sequence[Tuple[str, Path]],
    datasets: Sequence[DatasetSpec],
    protocol: str = 'standard',
    metrics: Sequence[str] | None = None,
    log=print,
    workers: int | None = None,
    bad_samples: List[str] | None = None,
) -> Tuple[List[dict], List[str]]:
    """Per-image metric rows ``{'dataset', 'method', 'stem', 'file', <metric>: value}``; a
    value that cannot be computed is None, with its reason in ``row['errors'][metric]``.

    Each dataset is evaluated on the samples that every method has a fused image for (the
    others are reported through ``log`` and left out). The methods' images of one sample are
    scored together (the sources' side of each metric once) and the samples are spread over
    ``workers`` processes (:func:`~fusionbox.evaluation.batch.evaluate_samples`; the rows do
    not depend on their number). A sample that cannot be scored (a file that cannot be read,
    images whose sizes differ) is reported through ``log``, left out for every method (the
    ranking compares the methods on the same samples) and, as ``'<dataset>/<stem>: reason'``,
    appended to ``bad_samples`` when given. Returns ``(rows, metric_names)``.
    """
    names = metric_names(protocol, metrics)
    if len({m for m, _ in methods}) != len(methods):
        raise ValueError('method names must be unique')
    rows = []
    for ds in datasets:
        samples = {stem: (paths, src_names) for stem, paths, src_names in ds.samples()}
        stems = set(samples)
        fused = {}
        for method, folder in methods:
            files = list_images(method_folder(folder, ds.name, len(datasets)))
            fused[method] = {}
            for fstem, path in files.items():
                stem = match_stem(fstem, stems)
                if stem is not None:
                    fused[method][stem] = path
        common = sorted(set.intersection(stems, *(set(f) for f in fused.values())))
        if not common:
            raise ValueError(f'dataset {ds.name}: no sample has a fused image from every method')
        for method in fused:
            missing = len(stems) - len(set(fused[method]) & stems)
            if missing:
                log(f'warning: {ds.name}: {method} lacks {missing} of {len(stems)} samples')
        if len(common) < len(stems):
            log(f'warning: {ds.name}: evaluating the {len(common)} samples all methods have')
        jobs = [
            SampleJob(
                stem,
                tuple(samples[stem][0]),
                tuple(fused[m][stem] for m, _ in methods),
                samples[stem][1],
            )
            for stem in common
        ]
        scored = evaluate_samples(jobs, names, protocol, workers, skip_bad=True)
        for job, results in zip(jobs, scored):
            if isinstance(results, BadSample):
                log(f'error: {ds.name}: skipped {results.key} for every method: {results.reason}')
                if bad_samples is not None:
                    bad_samples.append(f'{ds.name}/{results.key}: {results.reason}')
                continue
            for (method, _), path, (values, errors) in zip(methods, job.fused, results):
                row = {'dataset': ds.name, 'method': method, 'stem': job.key, 'file': str(path)}
                row.update({n: values.get(n) for n in names})
                if errors:
                    row['errors'] = errors
                rows.append(row)
    return rows, names


def run_model(
    model: ModelSpec,
    datasets: Sequence[DatasetSpec],
    out_dir,
    device: str = 'cpu',
    log=print,
) -> Path:
    """Fuse every sample of ``datasets`` with a FusionBox model and write the results as
    ``<out_dir>/<dataset>/<stem>.png`` (colour when a source is, else grey) through
    :class:`fusionbox.apis.FusionInferencer` (the config's test pipeline, the checkpoint loaded
    safely). Returns ``out_dir``."""
    from fusionbox.apis.inferencer import FusionInferencer
    from fusionbox.utils.image_io import write_image

    if not model.config.is_file():
        raise FileNotFoundError(f'model {model.name}: config not found: {model.config}')
    if not model.checkpoint.is_file():
        raise FileNotFoundError(f'model {model.name}: checkpoint not found: {model.checkpoint}')
    fuser = FusionInferencer(str(model.config), str(model.checkpoint), device=device)
    out_dir = Path(out_dir)
    for ds in datasets:
        samples = ds.samples()
        log(f'{model.name}: fusing {len(samples)} samples of {ds.name}')
        for stem, paths, _ in samples:
            (fused,) = fuser([[str(p) for p in paths]], ds.task)
            write_image(out_dir / ds.name / f'{stem}.png', fused)
    return out_dir
