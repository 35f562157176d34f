"""Time the pseudo-label pipeline per 480x640 pair: each prior, the selector, the refiner and
the whole per-sample pipeline (read + priors + selection + refinement).

Usage::

    python benchmarks/pseudo_labels_speed.py [--pairs 2] [--repeats 3] [--tasks ivf,mif,mef,mff]
        [--size 480x640 | --size native] [--synthetic] [--out timing.md | timing.json]

IVF uses real 480x640 MSRS pairs found with ``fusionbox.utils.paths.shared_data_root()`` (env
``FUSIONBOX_SHARED_DATA``); when they are absent (or with ``--synthetic``) a synthetic pair of
``--size`` (default 480x640) stands in and a note says so. The other tasks use the first sample
of one real set (Harvard MRI-PET, MEFB, Lytro) resized to ``--size`` (so every row is per
480x640 pair by default; ``--size native`` keeps the set's size), or a synthetic pair when the
set is absent.

Every repeat runs ``PseudoLabelPipeline(task)`` once on the sample with its components wrapped
by timers, so one run gives every figure: per prior (``prior(sources)``, including the luma
conversion), the selector (``select``: every metric of every candidate), the refiner
(``refine``, of which ``scoring`` is the time spent scoring its enhanced labels), and the whole
call. Each figure is the minimum over the repeats of a pair, averaged over the pairs (the
refiner's work, how many enhanced labels it scores, differs between pairs), as wall time and
process CPU time (the CPU time is the less noisy figure on a shared machine; OpenCV threads add
to it). The load average is printed at the start and the end. ``--out`` writes the table as
Markdown (``.md``) or JSON (``.json``) and refuses to overwrite an existing file.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

import fusionbox.pseudo_labels  # noqa: F401  (registers the components)
from fusionbox.datasets.layouts import SHARED_DATA_DIRS, get_layout
from fusionbox.pseudo_labels import PseudoLabelPipeline
from fusionbox.tasks import get_task
from fusionbox.utils.image_io import read_image, write_image
from fusionbox.utils.io import atomic_write_json, atomic_write_text
from fusionbox.utils.paths import shared_data_root

#: The real sets timed for the tasks other than IVF (IVF: MSRS pairs), one per task; a task
#: without one here is timed on a synthetic pair.
OTHER_SETS = ('Harvard-MRI-PET', 'MEFB', 'Lytro')


def load() -> tuple:
    return os.getloadavg() if hasattr(os, 'getloadavg') else (float('nan'),) * 3


class _Clock:
    """Wall and CPU time of the wrapped calls of one pipeline run, summed per key."""

    def __init__(self) -> None:
        self.wall: dict = {}
        self.cpu: dict = {}

    def wrap(self, key: str, fn):
        def timed(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[key] = self.wall.get(key, 0.0) + time.perf_counter() - t0
                self.cpu[key] = self.cpu.get(key, 0.0) + time.process_time() - c0

        return timed


class _TimedPrior:
    """A prior whose calls are timed (the pipeline sees the same name and attributes)."""

    def __init__(self, prior, clock: _Clock) -> None:
        self._prior = prior
        self._call = clock.wrap(prior.name, prior.__call__)

    @property
    def name(self) -> str:
        return self._prior.name

    def __getattr__(self, key):
        return getattr(self._prior, key)

    def __call__(self, sources, sample=None):
        return self._call(sources, sample)


def time_pipeline(task: str, samples: list, repeats: int) -> dict:
    """Per stage, the minimum wall and CPU seconds over ``repeats`` runs of each sample,
    averaged over the samples (the refiner's work differs from sample to sample)."""
    pipeline = PseudoLabelPipeline(task)
    priors = [p.name for p in pipeline.priors]
    per_sample, picks, scored = [], [], []
    untimed = (pipeline.priors, pipeline.selector.select, pipeline.selector.score)
    refine = pipeline.refiner.refine
    try:
        for sample in samples:
            wall: dict = {}
            cpu: dict = {}
            for _ in range(repeats):
                clock = _Clock()
                pipeline.priors = [_TimedPrior(p, clock) for p in untimed[0]]
                pipeline.selector.select = clock.wrap('selector', untimed[1])
                pipeline.selector.score = clock.wrap('refiner: scoring', untimed[2])
                pipeline.refiner.refine = clock.wrap('refiner', refine)
                result = clock.wrap('pipeline', pipeline)(sample)
                for key in clock.wall:
                    wall[key] = min(wall.get(key, np.inf), clock.wall[key])
                    cpu[key] = min(cpu.get(key, np.inf), clock.cpu[key])
            record = result['provenance']
            picks.append(record['pick'])
            scored.append(sum(len(a.get('tried', [])) for a in record['refinement']['actions']))
            wall['all priors (sum)'] = sum(wall[n] for n in priors)
            cpu['all priors (sum)'] = sum(cpu[n] for n in priors)
            per_sample.append((wall, cpu))
    finally:
        pipeline.priors = untimed[0]
        for attr in ('select', 'score'):
            vars(pipeline.selector).pop(attr, None)
        vars(pipeline.refiner).pop('refine', None)
    rows = [(name, 'prior') for name in priors]
    rows += [
        ('all priors (sum)', 'sum'),
        ('selector', 'stage'),
        ('refiner', 'stage'),
        ('refiner: scoring', 'part'),
        ('pipeline', 'total'),
    ]

    def mean_ms(which: int, name: str) -> float:
        return round(float(np.mean([t[which].get(name, 0.0) for t in per_sample])) * 1e3, 1)

    return dict(
        rows=[
            dict(name=name, kind=kind, wall_ms=mean_ms(0, name), cpu_ms=mean_ms(1, name))
            for name, kind in rows
        ],
        picks=picks,
        refiner_images_scored=scored,
    )


# --- inputs ---------------------------------------------------------------------------------
def synthetic_pair(task: str, size: tuple, seed: int = 0) -> list:
    """Two registered float32 sources (a grey and an RGB one) of ``size`` (H, W) in [0, 1]."""
    h, w = size
    rng = np.random.default_rng(seed)

    def smooth(scale: int) -> np.ndarray:
        small = rng.random((max(h // scale, 2), max(w // scale, 2))).astype(np.float32)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)

    scene = np.clip(0.5 * smooth(32) + 0.3 * smooth(4) + 0.2 * rng.random((h, w)), 0, 1)
    grey = np.clip(0.2 + 0.3 * smooth(64), 0, 1)
    grey[h // 3 : h // 2, w // 3 : w // 2] = 0.9  # a hot target
    colour = np.clip(scene[..., None] * np.array([1.0, 0.9, 0.8], np.float32), 0, 1)
    if task == 'mef':
        grey, colour = np.clip(scene * 0.3, 0, 1), np.clip(colour * 1.8, 0, 1)
    elif task == 'mff':
        blurred = cv2.GaussianBlur(scene, (0, 0), 3.0)
        a, b = scene.copy(), scene.copy()
        a[:, w // 2 :], b[:, : w // 2] = blurred[:, w // 2 :], blurred[:, : w // 2]
        grey, colour = a, np.repeat(b[..., None], 3, axis=2) * np.array([1.0, 0.9, 0.8])
    return [grey.astype(np.float32)[..., None], colour.astype(np.float32)]


def write_sample(task: str, sources: list, folder: Path, stem: str) -> dict:
    names = list(get_task(task).source_roles)
    paths = []
    for name, image in zip(names, sources):
        path = folder / name / f'{stem}.png'
        path.parent.mkdir(parents=True, exist_ok=True)
        write_image(path, image[..., 0] if image.shape[-1] == 1 else image)
        paths.append(str(path))
    return dict(source_paths=paths, source_names=names, stem=stem, task=task, gt_path=None)


def resized(image: np.ndarray, size: tuple) -> np.ndarray:
    out = cv2.resize(image, size[::-1], interpolation=cv2.INTER_AREA)
    return out[..., None] if out.ndim == 2 else out


def ivf_samples(pairs: int, size, synthetic: bool, tmp: Path) -> tuple:
    root = shared_data_root() / 'ivf' / 'MSRS'
    if not synthetic and (root / 'ir').is_dir():
        irs = sorted((root / 'ir').iterdir())[:pairs]
        samples = [
            dict(
                source_paths=[str(p), str(root / 'vi' / p.name)],
                source_names=['ir', 'vi'],
                stem=p.stem,
                task='ivf',
                gt_path=None,
            )
            for p in irs
        ]
        shape = read_image(irs[0]).shape[:2]
        return samples, f'MSRS {", ".join(p.stem for p in irs)} ({shape[0]}x{shape[1]}, native)'
    h, w = size or (480, 640)
    if not synthetic:
        print(f'note: MSRS not found at {root}; timing a synthetic {h}x{w} pair', file=sys.stderr)
    sample = write_sample('ivf', synthetic_pair('ivf', (h, w)), tmp / 'ivf', 'synthetic')
    return [sample], f'synthetic {h}x{w} pair'


def other_sample(task: str, size, synthetic: bool, tmp: Path) -> tuple:
    layout = next((n for n in OTHER_SETS if get_layout(n).task == task), None)
    root = shared_data_root() / SHARED_DATA_DIRS[layout] if layout else None
    target = size or (480, 640)
    if not synthetic and root is not None and root.is_dir():
        from fusionbox.pseudo_labels import list_samples

        sample = list_samples(layout=layout, data_root=str(root))[0]
        sources = [read_image(p) for p in sample['source_paths']]
        native = sources[0].shape[:2]
        if size is None:
            return [sample], f'{layout} {sample["stem"]} ({native[0]}x{native[1]}, native)'
        sources = [resized(s, size) for s in sources]
        sample = write_sample(task, sources, tmp / task, sample['stem'])
        what = f'{layout} {sample["stem"]} ({native[0]}x{native[1]} resized to {size[0]}x{size[1]})'
        return [sample], what
    if not synthetic:
        print(f'note: no real {task} set at {root}; timing a synthetic pair', file=sys.stderr)
    sample = write_sample(task, synthetic_pair(task, target), tmp / task, 'synthetic')
    return [sample], f'synthetic {target[0]}x{target[1]} pair'


# --- output ---------------------------------------------------------------------------------
def markdown(report: dict) -> str:
    tasks = list(report['tasks'])
    lines = [
        f'`{report["command"]}`; {report["cpus"]} CPUs, load average '
        f'{report["load_start"]} at the start, {report["load_end"]} at the end; minimum over '
        f'{report["repeats"]} repeats of each pair, mean over the pairs.',
        '',
    ]
    for task in tasks:
        info = report['tasks'][task]
        lines.append(
            f'- {task.upper()}: {info["data"]}; picked {", ".join(info["picks"])}; the refiner '
            f'scored {", ".join(map(str, info["refiner_images_scored"]))} enhanced labels'
        )
    lines.append('')
    head = ' | '.join(f'{t.upper()} wall | {t.upper()} CPU' for t in tasks)
    lines += [f'| ms per pair | {head} |', '|---|' + '---:|' * (2 * len(tasks))]
    names = []
    for task in tasks:
        names += [r['name'] for r in report['tasks'][task]['rows'] if r['name'] not in names]
    fixed = ('all priors (sum)', 'selector', 'refiner', 'refiner: scoring', 'pipeline')
    names = [n for n in names if n not in fixed] + list(fixed)
    for name in names:
        cells = []
        for task in tasks:
            row = next((r for r in report['tasks'][task]['rows'] if r['name'] == name), None)
            cells += (
                ['-', '-'] if row is None else [f'{row["wall_ms"]:.0f}', f'{row["cpu_ms"]:.0f}']
            )
        label = f'**{name}**' if name in ('pipeline',) else name
        lines.append(f'| {label} | {" | ".join(cells)} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--pairs', type=int, default=2, help='MSRS pairs for IVF')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--tasks', default='ivf,mif,mef,mff')
    parser.add_argument('--size', default='480x640', help="HxW for the other tasks, or 'native'")
    parser.add_argument('--synthetic', action='store_true', help='synthetic pairs only')
    parser.add_argument('--out', help='write the table to this .md or .json file (new file)')
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix not in ('.md', '.json'):
            parser.error(f'--out must end in .md or .json, got {out}')
        if out.exists():
            print(f'{out} exists; refusing to overwrite it', file=sys.stderr)
            return 2
    size = None if args.size == 'native' else tuple(int(v) for v in args.size.split('x'))
    tasks = [t.strip() for t in args.tasks.split(',') if t.strip()]

    start = load()
    print(f'load average at start: {" ".join(f"{x:.2f}" for x in start)} ({os.cpu_count()} CPUs)')
    report = dict(
        command=' '.join(['python benchmarks/pseudo_labels_speed.py', *args_list]),
        cpus=os.cpu_count(),
        machine=platform.processor() or platform.machine(),
        repeats=args.repeats,
        load_start=' '.join(f'{x:.2f}' for x in start),
        tasks={},
    )
    with tempfile.TemporaryDirectory(prefix='fusionbox_pl_speed_') as tmp:
        tmp = Path(tmp)
        for task in tasks:
            if task == 'ivf':
                samples, data = ivf_samples(args.pairs, size, args.synthetic, tmp)
            else:
                samples, data = other_sample(task, size, args.synthetic, tmp)
            t0 = time.perf_counter()
            timing = time_pipeline(task, samples, args.repeats)
            report['tasks'][task] = dict(data=data, **timing)
            print(
                f'{task}: {data}; picks {", ".join(timing["picks"])}; refiner scored '
                f'{timing["refiner_images_scored"]} images; '
                f'{time.perf_counter() - t0:.0f} s',
                file=sys.stderr,
            )
    report['load_end'] = ' '.join(f'{x:.2f}' for x in load())
    text = markdown(report)
    print()
    print(text)
    if out is not None:
        if out.suffix == '.json':
            atomic_write_json(out, report, overwrite=False)
        else:
            atomic_write_text(out, text, overwrite=False)
        print(f'written to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
