"""``fusionbox downstream``: does detection or segmentation work better on fused images?

    fusionbox downstream --task det|seg --labels DIR --input NAME=DIR [--input NAME=DIR ...]
        [--config CFG] [--iters N] -o OUTDIR [--protocol retrain|frozen] [--train-on NAME]
        [--seed N] [--holdout-every K] [--holdout-offset I] [--overwrite] [--no-progress]

Trains and tests a small mmdet detector (``det``: YOLO ``<stem>.txt`` boxes with
``classes.txt``, or a COCO JSON file) or mmseg segmenter (``seg``: PNG class maps with
``classes.txt``) on every input folder (fused results, infrared, visible...; images matched to
the labels by stem), and writes ``OUTDIR/results.csv`` (columns ``input,metric,value``: ``mAP``,
``mAP50`` and per class ``mAP50/<class>`` for det, ``mIoU`` and ``IoU/<class>`` for seg, in
percent), ``results.md`` and ``results.png``.

Protocols: ``retrain`` (default) trains one model per input with the same seed and schedule;
``frozen`` trains one model on ``--train-on`` (default: the first input) and tests it on all.
The split: ``train.txt`` / ``test.txt`` beside the labels, else every K-th sample from the I-th
on is a test one (I = 0..K-1: the folds of a cross-validation).
Every finished input is cached in ``OUTDIR/<input>/``, so an interrupted run resumes; a finished
``OUTDIR`` is refused unless ``--overwrite``, which redoes everything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Dict

from .options import parse_named_folders

PROG = 'fusionbox downstream'


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        'downstream',
        help='train and test a detector or segmenter per input kind (fused vs ir vs vi)',
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.error = lambda message: p.exit(2, f'{PROG}: error: {message}\n')  # one line, no usage
    p.add_argument('--task', required=True, choices=('det', 'seg'), help='det or seg')
    p.add_argument('--labels', required=True, metavar='DIR', help='boxes or class maps')
    p.add_argument('--input', action='append', required=True, metavar='NAME=DIR',
                   help='a folder of images of one input kind (repeat)')  # fmt: skip
    p.add_argument('--config', metavar='CFG', help='mmdet / mmseg config (default: per task)')
    p.add_argument('--iters', type=int, metavar='N', help='training iterations (default: config)')
    p.add_argument('-o', '--out-dir', required=True, metavar='OUTDIR', help='output folder')
    p.add_argument('--protocol', choices=('retrain', 'frozen'), default='retrain')
    p.add_argument('--train-on', metavar='NAME', help='frozen protocol: the training input')
    p.add_argument('--seed', type=int, default=0, help='seed of every training run (default 0)')
    p.add_argument('--holdout-every', type=int, default=3, metavar='K',
                   help='without train.txt/test.txt: every K-th sample is a test one')  # fmt: skip
    p.add_argument('--holdout-offset', type=int, metavar='I',
                   help='the first test sample, 0..K-1 (a fold; default K//2)')  # fmt: skip
    p.add_argument('--overwrite', action='store_true', help='redo a finished OUTDIR')
    p.add_argument('--no-progress', action='store_true', help='hide the progress bars')
    p.set_defaults(func=run)
    return p


def parse_inputs(specs) -> Dict[str, str]:
    """``NAME=DIR`` specs -> ``{name: dir}``; ValueError for a malformed or repeated name and
    FileNotFoundError for a missing folder."""
    inputs = parse_named_folders(specs, '--input')
    for name, folder in inputs.items():
        if not Path(folder).is_dir():
            raise FileNotFoundError(f'input folder {folder} ({name}) does not exist')
    return inputs


def _check_out_dir(out: Path, overwrite: bool) -> None:
    """Refuse a finished folder; with ``overwrite`` delete what an earlier run wrote there."""
    from fusionbox.downstream.report import OUTPUTS

    if not overwrite:
        if (out / 'results.csv').exists():
            raise FileExistsError(f'{out / "results.csv"} exists; pass --overwrite to redo the run')
        return
    for path in out.glob('*/result.json'):
        shutil.rmtree(path.parent)
    for name in OUTPUTS:
        (out / name).unlink(missing_ok=True)


def run(args) -> int:
    try:
        if args.iters is not None and args.iters < 1:
            raise ValueError(f'--iters must be positive, got {args.iters}')
        inputs = parse_inputs(args.input)
        if not Path(args.labels).exists():
            raise FileNotFoundError(f'labels {args.labels} do not exist')
        out = Path(args.out_dir)
        _check_out_dir(out, args.overwrite)
        from fusionbox.downstream import run_downstream
        from fusionbox.downstream.report import write_reports

        results = run_downstream(
            args.task, args.labels, inputs, out, config=args.config, iters=args.iters,
            seed=args.seed, protocol=args.protocol, train_on=args.train_on,
            holdout_every=args.holdout_every, holdout_offset=args.holdout_offset,
            progress=not args.no_progress,
        )  # fmt: skip
        note = f'Protocol {args.protocol}, seed {args.seed}; values in percent.'
        paths = write_reports(out, args.task, results, note, overwrite=args.overwrite)
    except Exception as exc:  # bad input or a failing run: one line, no traceback
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        print(f'{PROG}: error: {exc}', file=sys.stderr)
        return 1
    from fusionbox.downstream.report import results_markdown

    print(results_markdown(args.task, results))
    print('wrote ' + ', '.join(str(p) for p in paths))
    return 0
