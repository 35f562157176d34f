"""Downstream detection on the 15 real MSRS pairs: fused (the pseudo-label selection over the
classical priors, no refinement) against infrared-only and visible-only, one RetinaNet retrained
per input with the same seed and schedule, all judged against one ground truth
(``det_labels/<view>``, by default the boxes annotated on fused images).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/downstream_msrs.py [--out work_dirs/downstream/msrs]
        [--seeds 0] [--iters 300] [--view fusion] [--holdout-every 3] [--folds]
        [--extra NAME=DIR ...]

The data is found with ``shared_data_root()`` (env ``FUSIONBOX_SHARED_DATA``) and read in place.
``--extra`` adds fused results of other methods (a folder of ``<stem>.png``). ``--folds`` runs
every fold of the hold-out split (a cross-validation: each pair is tested once). Writes
``OUT/fold<i>-seed<k>/`` (the tool's outputs) and ``OUT/summary.md`` / ``summary.json`` (mean ±
std over folds and seeds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fusionbox.cli.downstream import parse_inputs
from fusionbox.downstream import HEADLINE, run_downstream
from fusionbox.downstream.report import summarise_seeds, summary_markdown, write_reports
from fusionbox.utils.io import atomic_write_json, atomic_write_text
from fusionbox.utils.paths import shared_data_root

CONFIG = Path(__file__).resolve().parents[1] / (
    'configs/downstream/retinanet_r18-c16-fpn_iter-300_msrs.py'
)


def main(argv=None) -> int:
    from downstream_embedded import fused_folder  # benchmarks/ is on sys.path when run

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--out', default='work_dirs/downstream/msrs')
    parser.add_argument('--seeds', default='0')
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument('--view', default='fusion', choices=('fusion', 'infrared', 'visible'))
    parser.add_argument('--holdout-every', type=int, default=3)
    parser.add_argument('--folds', action='store_true', help='every fold, not only the middle')
    parser.add_argument('--extra', action='append', default=[], metavar='NAME=DIR')
    args = parser.parse_args(argv)
    msrs = shared_data_root() / 'ivf/MSRS'
    if not msrs.is_dir():
        print(f'MSRS not found at {msrs}; set FUSIONBOX_SHARED_DATA', file=sys.stderr)
        return 1
    out = Path(args.out)
    fused = fused_folder({'ir': msrs / 'ir', 'vi': msrs / 'vi'}, out / 'fused')
    inputs = {'fused': str(fused), 'ir': str(msrs / 'ir'), 'vi': str(msrs / 'vi')}
    inputs.update(parse_inputs(args.extra))
    labels = msrs / 'det_labels' / args.view
    seeds = [int(s) for s in args.seeds.split(',')]
    k = args.holdout_every
    offsets = range(k) if args.folds else [k // 2]
    runs = {}
    for offset in offsets:
        for seed in seeds:
            run_dir = out / f'fold{offset}-seed{seed}'
            results = run_downstream('det', labels, inputs, run_dir, config=CONFIG,
                                     iters=args.iters, seed=seed, holdout_every=k,
                                     holdout_offset=offset)  # fmt: skip
            note = f'Protocol retrain, fold {offset}, seed {seed}.'
            # overwrite=True: reports and summary are re-rendered from the cached runs
            write_reports(run_dir, 'det', results, note, overwrite=True)
            runs[(offset, seed)] = results
    rows = summarise_seeds('det', runs)
    metrics = [m for m in dict.fromkeys(r['metric'] for r in rows)
               if m in HEADLINE['det'] or m.startswith('mAP50/')]  # fmt: skip
    text = (f'MSRS (15 pairs, labels det_labels/{args.view}), {args.iters} iterations, folds '
            f'{list(offsets)} of {k}, seeds {seeds}; mean ± std over {len(runs)} runs, '
            f'percent.\n\n' + summary_markdown(rows, metrics))  # fmt: skip
    atomic_write_json(out / 'summary.json', rows, overwrite=True)
    atomic_write_text(out / 'summary.md', text, overwrite=True)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
