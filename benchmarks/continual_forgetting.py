"""Forgetting across the task sequence IVF -> MIF -> MEF -> MFF, one run per continual config.

Runs each ``configs/continual/`` config of a data family (joint, naive, EWC, replay,
EWC + replay) in subprocesses (``--jobs`` at a time, one thread each), collects each run's
``continual_matrix.json`` and writes a comparison (average score, BWT, forgetting, last task)
as Markdown and JSON, and the matrices side by side as a figure (``summary.{md,json,png}``)::

    python benchmarks/continual_forgetting.py [--data embedded|real] [--stage-iters 100]
        [--jobs 2] [--strategies ...] [--out DIR] [--reuse]

``--data embedded`` (the default): the ``continual_unet-t_reg_ivf-mif-mef-mff_*`` configs through
``tools/train.py`` (about 10 minutes on 2 CPU cores). ``--data real``: the
``continual_unet-c24-haar3-gated_fm-src_real-seq_*`` configs (FusionFM-lite on the real sets,
scored on their held-out stems) through the FusionFM recipe ``tools/fusionfm_recipe.py``, which
reuses the pseudo-labels cached in ``work_dirs/pseudo_labels``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fusionbox.utils.io import atomic_write_json, atomic_write_text  # noqa: E402

#: data family -> (config prefix, tool, extra tool arguments, what the title says)
FAMILIES = {
    'embedded': (
        'configs/continual/continual_unet-t_reg_ivf-mif-mef-mff_',
        'tools/train.py',
        [],
        'embedded benchmark, unet-t',
    ),
    'real': (
        'configs/continual/continual_unet-c24-haar3-gated_fm-src_real-seq_',
        'tools/fusionfm_recipe.py',
        ['--no-progress'],
        'real sets, held-out stems, FusionFM-lite gated',
    ),
}
STRATEGIES = ('joint', 'naive', 'ewc', 'replay', 'ewc-replay')


def run_one(
    name: str, out: Path, stage_iters: int | None, reuse: bool = False, data: str = 'embedded'
) -> dict:
    prefix, tool, extra, _ = FAMILIES[data]
    work = out / name
    done = work / 'continual_matrix.json'
    if reuse and done.is_file():
        result = json.loads(done.read_text())
        if len(result['matrix']) == len(result['stages']):
            seconds = work / 'benchmark_seconds.txt'
            result['seconds'] = float(seconds.read_text()) if seconds.is_file() else None
            return result
    cmd = [sys.executable, tool, f'{prefix}{name}.py', '--work-dir', str(work), *extra]
    if stage_iters:
        cmd += ['--cfg-options', f'train_cfg.stage_iters={stage_iters}']
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f'{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}')
    result = json.loads((work / 'continual_matrix.json').read_text())
    result['seconds'] = round(time.time() - start, 1)
    # the run's own record, remade with the run (a run not reused is trained again)
    atomic_write_text(work / 'benchmark_seconds.txt', str(result['seconds']), overwrite=True)
    print(f'{name}: {result["summary"]} ({result["seconds"]} s)', flush=True)
    return result


def reference_scores(config: str, labels_dir: str = 'work_dirs/pseudo_labels') -> dict:
    """For scale: each evaluated task's score (its matrix column's metric, on the same held-out
    stems) of the mean of the sources and of the pseudo-label (the teacher), means over the
    images. Needs the labels the recipe made (a missing one is an error naming it)."""
    import numpy as np
    from mmengine.config import Config

    from fusionbox.evaluation.functional import evaluate_image
    from fusionbox.evaluation.io import from_unit_tensor
    from fusionbox.recipes.fusionfm import make_pseudo_labels
    from fusionbox.registry import DATASETS
    from fusionbox.utils import register_all_modules

    register_all_modules()
    cfg = Config.fromfile(str(REPO / config))
    make_pseudo_labels(cfg, REPO / labels_dir, make=False, progress=False, log=lambda _: None)
    scores = {}
    for task, evaluation in cfg.train_cfg.evaluations.items():
        metric = evaluation.metric
        dataset = DATASETS.build(evaluation.dataloader.dataset)
        values = {'mean of sources': [], 'pseudo-label': []}
        for i in range(len(dataset)):
            item = dataset[i]
            sources = [from_unit_tensor(s) for s in item['inputs']]
            label = from_unit_tensor(item['data_samples'].pseudo_label)
            for name, fused in (('mean of sources', np.mean(sources, 0)), ('pseudo-label', label)):
                value = evaluate_image([metric], fused, sources, None, 'standard')[0].get(metric)
                if value is not None:
                    values[name].append(value)
        scores[task] = {name: float(np.mean(v)) for name, v in values.items() if v}
    return scores


def fmt(v) -> str:
    if v is None:
        return ''
    return f'{v:.4f}' if isinstance(v, float) else str(v)


def to_markdown(
    results: dict,
    stage_iters,
    title: str = 'embedded benchmark, unet-t',
    references: dict | None = None,
) -> str:
    keys = ('average', 'bwt', 'forgetting', 'plasticity', 'last_task')
    lines = [
        f'# Continual forgetting ({title}, {stage_iters} iters/stage)',
        '',
        '| strategy | ' + ' | '.join(keys) + ' | seconds |',
        '|' + '---|' * (len(keys) + 2),
    ]
    for name, res in results.items():
        s = res['summary']
        lines.append(
            f'| {name} | ' + ' | '.join(fmt(s.get(k)) for k in keys) + f' | {res["seconds"]} |'
        )
    if references:
        first = next(iter(results.values()))
        cols = [f'{t} ({m})' for t, m in zip(first['tasks'], first['metrics'])]
        lines += [
            '',
            'For scale, on the same held-out stems:',
            '',
            '| reference | ' + ' | '.join(cols) + ' | average |',
            '|' + '---|' * (len(cols) + 2),
        ]
        for name in ('mean of sources', 'pseudo-label'):
            row = [references[t].get(name) for t in first['tasks']]
            mean = sum(row) / len(row) if None not in row else None
            lines.append(f'| {name} | ' + ' | '.join(fmt(v) for v in row) + f' | {fmt(mean)} |')
    for name, res in results.items():
        cols = [f'{t} ({m})' for t, m in zip(res['tasks'], res['metrics'])]
        lines += [
            '',
            f'## {name}',
            '',
            '| after stage | ' + ' | '.join(cols) + ' |',
            '|' + '---|' * (len(cols) + 1),
        ]
        for stage, row in zip(res['stages'], res['matrix']):
            lines.append(f'| {stage} | ' + ' | '.join(fmt(v) for v in row) + ' |')
    return '\n'.join(lines) + '\n'


def plot_results(results: dict, path: Path) -> Path:
    """The accuracy matrices of the runs side by side, one panel per strategy."""
    import matplotlib

    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    from fusionbox.continual.matrix import draw_matrix, save_figure

    fig, axes = plt.subplots(1, len(results), figsize=(5.2 * len(results), 4.2), squeeze=False)
    for ax, (name, res) in zip(axes[0], results.items()):
        cols = [f'{t}\n({m})' for t, m in zip(res['tasks'], res['metrics'])]
        draw_matrix(ax, res['matrix'], res['stages'], cols)
        ax.set_title(name)
    fig.tight_layout()
    return save_figure(fig, path, overwrite=True)  # re-rendered from the runs, as the summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--data',
        default='embedded',
        choices=sorted(FAMILIES),
        help='embedded benchmark configs (tools/train.py) or real-data ones (the recipe)',
    )
    parser.add_argument('--strategies', nargs='+', default=list(STRATEGIES), choices=STRATEGIES)
    parser.add_argument(
        '--stage-iters',
        type=int,
        default=None,
        help="iterations per stage (default: the configs' own)",
    )
    parser.add_argument('--jobs', type=int, default=2, help='runs at the same time')
    parser.add_argument(
        '--out', default=None, help='default: work_dirs/benchmarks/continual_forgetting[_real]'
    )
    parser.add_argument(
        '--reuse',
        action='store_true',
        help='keep the finished runs found in --out instead of training again',
    )
    args = parser.parse_args(argv)
    suffix = '' if args.data == 'embedded' else f'_{args.data}'
    out = (REPO / (args.out or f'work_dirs/benchmarks/continual_forgetting{suffix}')).resolve()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            n: pool.submit(run_one, n, out, args.stage_iters, args.reuse, args.data)
            for n in args.strategies
        }
        results = {n: f.result() for n, f in futures.items()}
    iters = args.stage_iters or 100  # the configs' stage_iters
    references = None
    if args.data == 'real':  # the matrix columns' scores of the mean and the teacher
        references = reference_scores(f'{FAMILIES["real"][0]}naive.py')
    markdown = to_markdown(results, iters, FAMILIES[args.data][3], references)
    # overwrite=True: the summary is re-rendered from the runs (trained again or --reuse)
    summary = dict(results, references=references) if references else results
    atomic_write_json(out / 'summary.json', summary, overwrite=True)
    atomic_write_text(out / 'summary.md', markdown, overwrite=True)
    plot_results(results, out / 'summary.png')
    print(markdown)
    return 0


if __name__ == '__main__':
    sys.exit(main())
