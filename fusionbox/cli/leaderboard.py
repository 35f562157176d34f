"""``fusionbox leaderboard``: rank several methods' fused images under one metric protocol.

    fusionbox leaderboard --protocol cddfuse \\
        --dataset VIFB:ivf:vi=VIFB/vi,ir=VIFB/ir [--dataset MSRS=data/MSRS/test ...] \\
        --method ADF=results/ADF --method Mine=results/mine [--metrics EN,SD,Qabf] \\
        [--model Ours=configs/x.py:work_dirs/x/iter_2000.pth [--device cpu]] \\
        -o work_dirs/leaderboard [--overwrite]

A method folder holds the fused images of the (single) dataset, or one sub-folder per dataset
name. A ``--model`` is run over every dataset's sources first; its fused images are kept in
``<out>/fused/<NAME>/<dataset>/<stem>.png`` and evaluated like a method folder. Fused files
match samples by stem (or ``<stem>_<anything>``). Writes leaderboard.md, .csv, .json, .html
(sortable table) and .png; ranks follow each metric's registered direction.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    p.add_argument('--title', default='FusionBox leaderboard')
    p.add_argument('-o', '--out-dir', required=True, help='output folder (must not exist)')
    p.add_argument('--overwrite', action='store_true', help='replace an existing output folder')
    p.set_defaults(func=run)
    return p


def _methods(specs):
    out = []
    for spec in specs:
        name, sep, folder = spec.partition('=')
        if not sep or not name or not folder:
            raise ValueError(f'--method expects NAME=DIR, got {spec!r}')
        out.append((name, Path(folder)))
    return out


def run(args) -> int:
    import shutil

    from fusionbox.evaluation.leaderboard import (
        build_leaderboard,
        evaluate_methods,
        parse_dataset,
        parse_model,
        run_model,
        staging_dir,
        to_markdown,
        write_leaderboard,
    )

    out = Path(args.out_dir)
    if out.exists() and not args.overwrite:
        print(f'error: {out} exists; pass --overwrite to replace it', file=sys.stderr)
        return 1
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    staging = None
    try:
        datasets = [parse_dataset(s, args.data_root) for s in args.dataset]
        methods = _methods(args.method)
        models = [parse_model(s) for s in args.model]
        if not methods and not models:
            raise ValueError('give at least one --method or --model')
        metrics = args.metrics.split(',') if args.metrics else None
        if models:
            staging = staging_dir(out)
            for model in models:
                dest = staging / 'fused' / model.name
                folder = run_model(model, datasets, dest, args.device, log)
                methods.append((model.name, folder))
        rows, names = evaluate_methods(methods, datasets, args.protocol, metrics, log=log)
    except (ValueError, KeyError, FileNotFoundError) as e:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        print(f'error: {e.args[0] if e.args else e}', file=sys.stderr)
        return 2
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    board = build_leaderboard(rows, names, args.protocol, args.title, log=log)
    paths = write_leaderboard(board, out, overwrite=args.overwrite, staging=staging)
    print(to_markdown(board))
    print(f'wrote {", ".join(str(p) for p in paths.values())}')
    return 0
