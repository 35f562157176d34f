"""Run the pseudo-label pipeline over the real sets of all four tasks and print, per task, the
pick distribution and what refinement did (improved and not-worse samples, mean / median /
min / max score gain).

Usage::

    python benchmarks/pseudo_labels_report.py [--out work_dirs/pseudo_labels_benchmark]
        [--workers 2] [--tasks ivf,mif,mef,mff] [--limit N] [--fresh]

The real data is found with ``fusionbox.utils.paths.shared_data_root()`` (env
``FUSIONBOX_SHARED_DATA``); it is read in place, never copied. Each dataset is labelled into
``OUT/<task>/<dataset>/`` (resumable: a rerun reuses finished samples); published results of
other methods found beside the data (``fused_reference/``) join as extra candidates.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from fusionbox.datasets.layouts import SHARED_DATA_DIRS, get_layout
from fusionbox.pseudo_labels import list_samples, run_pipeline, write_report
from fusionbox.pseudo_labels.report import figure, load_records, markdown, summarise
from fusionbox.utils.io import atomic_write_json, atomic_write_text
from fusionbox.utils.paths import shared_data_root

#: External results beside the shared data: layout -> {candidate name: folder under the set}.
RESULTS = {
    'TNO': {'SeAFusion': 'fused_reference/SeAFusion_TNO'},
    'VIFB': {'ADF_VIFB': 'fused_reference/ADF'},
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--out', default='work_dirs/pseudo_labels_benchmark')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--tasks', default='ivf,mif,mef,mff')
    parser.add_argument('--limit', type=int, help='first N samples of every dataset')
    parser.add_argument('--fresh', action='store_true', help='delete OUT first')
    args = parser.parse_args(argv)

    root = shared_data_root()
    if not root.is_dir():
        print(f'shared real data not found at {root}; set FUSIONBOX_SHARED_DATA', file=sys.stderr)
        return 1
    out = Path(args.out)
    if args.fresh and out.exists():
        shutil.rmtree(out)
    tasks = [t.strip() for t in args.tasks.split(',') if t.strip()]
    records, t0 = [], time.time()
    for layout, sub in SHARED_DATA_DIRS.items():
        task = get_layout(layout).task
        data_root = root / sub
        if task not in tasks or not data_root.is_dir():
            continue
        samples = list_samples(layout=layout, data_root=str(data_root))[: args.limit]
        results = {
            name: str(data_root / folder)
            for name, folder in RESULTS.get(layout, {}).items()
            if (data_root / folder).is_dir()
        }
        where = out / task / layout
        config = dict(task=task, results=results or None)
        t1 = time.time()
        run_pipeline(samples, where, config, workers=args.workers)
        write_report(where)
        print(
            f'{task}/{layout}: {len(samples)} samples in {time.time() - t1:.0f} s', file=sys.stderr
        )
        records += load_records(where)

    summary = summarise(records)
    # overwrite=True: re-rendered from the (resumed) label folders on each run
    atomic_write_json(out / 'summary.json', summary, overwrite=True)
    atomic_write_text(out / 'report.md', markdown(summary), overwrite=True)
    for task in summary:
        examples = [r for r in records if r['task'] == task]
        figure(examples, out / f'examples_{task}.png', overwrite=True)
    print(json.dumps(summary, indent=2))
    print()
    print(markdown(summary))
    worse = [(r['task'], r['stem']) for r in records if r['refinement']['gain'] < 0]
    print(f'samples where refinement lowered the task score: {len(worse)} {worse}')
    print(f'total {len(records)} samples, {time.time() - t0:.0f} s; outputs in {out}')
    return 0 if not worse else 1


if __name__ == '__main__':
    sys.exit(main())
