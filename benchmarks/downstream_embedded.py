"""Downstream detection and segmentation on the embedded IVF data: fused (the pseudo-label
selection over the classical priors, no refinement) against infrared-only and visible-only,
retrained per input for several seeds, plus one frozen model trained on the fused images.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/downstream_embedded.py [--out work_dirs/downstream/embedded]
        [--tasks det,seg] [--seeds 0,1,2] [--train 64] [--test 32] [--det-iters 1000]
        [--seg-iters 600] [--no-frozen]

Writes ``OUT/<task>/seed<k>/`` (the tool's outputs per seed), ``OUT/<task>/frozen-fused/`` and
``OUT/summary.md`` / ``summary.json`` (mean ± std over seeds). Resumable: finished runs are kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fusionbox.cli.main import main as fusionbox_main
from fusionbox.downstream import HEADLINE, run_downstream
from fusionbox.downstream.embedded import prepare_embedded_ivf
from fusionbox.downstream.report import summarise_seeds, summary_markdown, write_reports
from fusionbox.utils.io import atomic_write_json, atomic_write_text


def fused_folder(sources: dict, out: Path) -> Path:
    """Fuse ``sources`` (ir, vi folders) with the pseudo-label pipeline (priors + task-aware
    selection, no refinement) into ``out/labels`` (resumable)."""
    args = ['pseudo-labels', '--task', 'ivf', '--no-refine', '--no-progress', '-o', str(out)]
    for name, folder in sources.items():
        args += ['--source', f'{name}={folder}']
    if fusionbox_main(args) != 0:
        raise SystemExit('fusing the sources failed')
    return out / 'labels'


def run_task(task, labels, inputs, out: Path, seeds, iters, frozen: bool) -> dict:
    runs = {}
    for seed in seeds:
        results = run_downstream(task, labels, inputs, out / f'seed{seed}', iters=iters, seed=seed)
        note = f'Protocol retrain, seed {seed}.'
        # overwrite=True: reports and summaries are re-rendered from the cached runs on each run
        write_reports(out / f'seed{seed}', task, results, note, overwrite=True)
        runs[seed] = results
    summary = dict(retrain=summarise_seeds(task, runs))
    if frozen:
        results = run_downstream(task, labels, inputs, out / 'frozen-fused', iters=iters,
                                 seed=seeds[0], protocol='frozen', train_on='fused')  # fmt: skip
        note = 'Protocol frozen (trained on fused).'
        write_reports(out / 'frozen-fused', task, results, note, overwrite=True)
        summary['frozen'] = summarise_seeds(task, {seeds[0]: results})
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--out', default='work_dirs/downstream/embedded')
    parser.add_argument('--tasks', default='det,seg')
    parser.add_argument('--seeds', default='0,1,2')
    parser.add_argument('--train', type=int, default=64, help='train samples')
    parser.add_argument('--test', type=int, default=32, help='test samples')
    parser.add_argument('--det-iters', type=int, default=1000, help='detector iterations')
    parser.add_argument('--seg-iters', type=int, default=600, help='segmenter iterations')
    parser.add_argument('--no-frozen', action='store_true', help='skip the frozen protocol')
    args = parser.parse_args(argv)
    out = Path(args.out)
    data = prepare_embedded_ivf(out / 'data', num_train=args.train, num_test=args.test)
    fused = fused_folder({'ir': data['ir'], 'vi': data['vi']}, out / 'fused')
    inputs = {'fused': str(fused), 'ir': str(data['ir']), 'vi': str(data['vi'])}
    seeds = [int(s) for s in args.seeds.split(',')]
    iters = dict(det=args.det_iters, seg=args.seg_iters)
    head = f'Embedded IVF: {args.train} train / {args.test} test samples, iterations {iters}'
    report, lines = {}, [f'{head}, seeds {seeds}; mean ± std, percent.\n']
    for task in args.tasks.split(','):
        report[task] = run_task(task, data[task], inputs, out / task, seeds, iters[task],
                                not args.no_frozen)  # fmt: skip
        for protocol, rows in report[task].items():
            metrics = [m for m in dict.fromkeys(r['metric'] for r in rows)
                       if m in HEADLINE[task] or m.startswith(('mAP50/', 'IoU/'))]  # fmt: skip
            lines += [f'\n### {task}, {protocol}\n', summary_markdown(rows, metrics)]
    atomic_write_json(out / 'summary.json', report, overwrite=True)  # from the cached runs
    atomic_write_text(out / 'summary.md', ''.join(lines), overwrite=True)
    print(''.join(lines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
