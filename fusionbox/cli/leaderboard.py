"""``fusionbox leaderboard``: rank several methods' fused images under one metric protocol.

    fusionbox leaderboard --protocol cddfuse \\
        --dataset VIFB:ivf:vi=VIFB/vi,ir=VIFB/ir [--dataset MSRS=data/MSRS/test ...] \\
        --method ADF=results/ADF --method Mine=results/mine [--metrics EN,SD,Qabf] \\
        [--model Ours=configs/x.py:work_dirs/x/iter_2000.pth [--device cpu]] \\
        [--published TABLE.csv [--published-protocol P] [--exclude-published METHOD]] \\
        [--workers N] -o work_dirs/leaderboard [--overwrite]

A method folder holds the fused images of the (single) dataset, or one sub-folder per dataset
name. A ``--model`` is run over every dataset's sources first (through the package's
inferencer); its fused images are kept in ``<out>/fused/<NAME>/<dataset>/<stem>.png`` and
evaluated like a method folder. Fused files match samples by stem (or ``<stem>_<anything>``).
``--published`` ranks the methods among a published per-image table (long CSV: image, method,
metric, value), only under the protocol that reproduces its evaluator. Writes leaderboard.md,
.csv, .json, .html (sortable tables, figure and thumbnails embedded) and .png; an existing
output folder keeps every other file, and the leaderboard's own files are replaced only with
``--overwrite``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .options import parse_named_folders


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        'leaderboard',
        help="rank methods' fused images on datasets",
        description=__doc__.split('\n\n')[0],
    )
    p.add_argument(
        '--protocol',
        default='standard',
        help='metric protocol: standard, cddfuse, vifb, tang, mefb (default: standard)',
    )
    p.add_argument(
        '--dataset',
        action='append',
        required=True,
        metavar='NAME:TASK:SRC=DIR,... | LAYOUT=ROOT',
        help='an evaluation set, repeated; LAYOUT is a named folder layout '
        '(fusionbox list layouts)',
    )
    p.add_argument('--data-root', help='prefix for relative dataset folders')
    p.add_argument(
        '--method',
        action='append',
        default=[],
        metavar='NAME=DIR',
        help='a method and its folder of fused images, repeated',
    )
    p.add_argument(
        '--model',
        action='append',
        default=[],
        metavar='NAME=CONFIG:CHECKPOINT',
        help='a FusionBox model to run on the datasets (MMEngine config and checkpoint), '
        'repeated; its fused images go to <out>/fused/NAME/<dataset>/',
    )
    p.add_argument('--device', default='cpu', help='device for --model (default: cpu)')
    p.add_argument(
        '--metrics',
        help='comma-separated metric names (default: all no-reference ' 'metrics of the protocol)',
    )
    p.add_argument(
        '--published',
        metavar='CSV',
        help='a published per-image table (image, method, metric, value) to rank among; one '
        '--dataset, and --protocol must be the one that reproduces its evaluator',
    )
    p.add_argument(
        '--published-protocol',
        help="the protocol of --published when its metric names do not tell (VIFB's do)",
    )
    p.add_argument(
        '--exclude-published',
        action='append',
        default=[],
        metavar='METHOD',
        help='leave a published method out of the ranking, repeated',
    )
    p.add_argument(
        '--workers',
        type=int,
        default=None,
        help='processes that score samples in parallel (default: FUSIONBOX_METRIC_WORKERS, '
        'else min(2, CPUs))',
    )
    p.add_argument('--title', default='FusionBox leaderboard')
    p.add_argument(
        '-o',
        '--out-dir',
        required=True,
        help='output folder (may exist: other files in it are kept)',
    )
    p.add_argument(
        '--overwrite', action='store_true', help="replace the leaderboard's own files in -o"
    )
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    import shutil

    from fusionbox.evaluation.leaderboard import (
        build_leaderboard,
        evaluate_methods,
        existing_outputs,
        metric_names,
        parse_dataset,
        parse_model,
        rank_with_published,
        read_published,
        run_model,
        staging_dir,
        to_markdown,
        write_leaderboard,
    )
    from fusionbox.utils.errors import FusionBoxError

    out = Path(args.out_dir)
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    staging = None
    try:
        models = [parse_model(s) for s in args.model]
        clash = existing_outputs(out, [m.name for m in models])
        if clash and not args.overwrite:
            print(
                f"error: {clash[0]} exists; pass --overwrite to replace the leaderboard's files",
                file=sys.stderr,
            )
            return 1
        datasets = [parse_dataset(s, args.data_root) for s in args.dataset]
        methods = [(n, Path(d)) for n, d in parse_named_folders(args.method, '--method').items()]
        if not methods and not models:
            raise ValueError('give at least one --method or --model')
        table = None
        if args.published:
            if len(datasets) != 1:
                raise ValueError('--published ranks beside exactly one --dataset')
            table = read_published(args.published, args.published_protocol)
            if args.protocol != table.protocol:
                raise ValueError(
                    f'{args.published} was published by the evaluator that protocol '
                    f'{table.protocol!r} reproduces; run with --protocol {table.protocol} '
                    f'(got {args.protocol!r}): the same metric names give other numbers under '
                    'other protocols'
                )
        metrics = args.metrics.split(',') if args.metrics else None
        if table is not None and metrics is None:
            metrics = table.metrics
        metrics = metric_names(args.protocol, metrics)
        if models:
            staging = staging_dir(out)
            for model in models:
                folder = run_model(
                    model, datasets, staging / 'fused' / model.name, args.device, log
                )
                methods.append((model.name, folder))
        bad = []
        rows, names = evaluate_methods(
            methods,
            datasets,
            args.protocol,
            metrics,
            log=log,
            workers=args.workers,
            bad_samples=bad,
        )
        if not rows:
            raise ValueError('no sample could be scored (bad samples listed above)')
        if table is not None:
            board = rank_with_published(
                rows, names, table, args.protocol, args.exclude_published, args.title, log=log
            )
        else:
            board = build_leaderboard(rows, names, args.protocol, args.title, log=log)
        paths = write_leaderboard(board, out, overwrite=args.overwrite, staging=staging)
        staging = None  # consumed
    except (ValueError, KeyError, FileNotFoundError, FileExistsError, FusionBoxError) as e:
        print(f'error: {e.args[0] if e.args else e}', file=sys.stderr)
        return 2
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    print(to_markdown(board))
    print(f'wrote {", ".join(str(p) for p in paths.values())}')
    if bad:
        print(
            f'error: {len(bad)} sample(s) skipped as bad (listed above); the table ranks the '
            'methods on the others',
            file=sys.stderr,
        )
        return 1
    return 0
