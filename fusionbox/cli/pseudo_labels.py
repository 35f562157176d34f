"""``fusionbox pseudo-labels``: make FusionFM pseudo-labels for a dataset.

Runs the priors, the task-aware selection and the Fusion Refiner over every sample (worker
processes, tqdm progress, resumable) and writes ``OUTDIR/labels``, ``OUTDIR/provenance`` and a
report (``report.md``, ``report.json``, ``report.png``). Settings come from the command line or
from an MMEngine config file (keys ``task``, ``sources``, ``layout``, ``data_root``, ``dataset``,
``priors``, ``results``, ``selector``, ``refiner``, ``out_dir``, ``workers``); the command line
wins.
"""

from __future__ import annotations

import argparse
import sys

from fusionbox.tasks import PluginTaskNames

from .options import parse_named_folders


def register(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'pseudo-labels',
        help='make pseudo-labels: priors, task-aware selection, refinement',
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('config', nargs='?', help='optional MMEngine config file')
    parser.add_argument('--task', choices=PluginTaskNames(), help='fusion task')
    parser.add_argument(
        '--source',
        action='append',
        metavar='NAME=DIR',
        help='a source folder, in model order (repeat for every source)',
    )
    parser.add_argument(
        '--layout',
        help='a named dataset layout (with --data-root) instead of ' '--source, e.g. MEFB, Lytro',
    )
    parser.add_argument('--data-root', help='the dataset folder of --layout')
    parser.add_argument('-o', '--out-dir', help='output folder')
    parser.add_argument('--priors', help='comma-separated prior names (default: per task)')
    parser.add_argument(
        '--results',
        action='append',
        metavar='NAME=DIR',
        help='a folder of fused results of an external method (by stem)',
    )
    parser.add_argument('--workers', type=int, help='worker processes (default 1)')
    parser.add_argument('--no-refine', action='store_true', help='skip the Fusion Refiner')
    parser.add_argument('--no-resume', action='store_true', help='redo samples whose outputs exist')
    parser.add_argument('--limit', type=int, help='only the first N samples')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    parser.set_defaults(func=run)
    return parser


def settings(args) -> dict:
    """Merge the config file (if any) and the command line into one settings dict."""
    cfg: dict = {}
    if args.config:
        from mmengine.config import Config

        cfg = Config.fromfile(args.config).to_dict()
    if args.task:
        cfg['task'] = args.task
    if args.source:
        cfg['sources'] = parse_named_folders(args.source, '--source')
    if args.layout:
        cfg['layout'] = args.layout
    if args.data_root:
        cfg['data_root'] = args.data_root
    if args.out_dir:
        cfg['out_dir'] = args.out_dir
    if args.priors:
        cfg['priors'] = [p.strip() for p in args.priors.split(',') if p.strip()]
    if args.results:
        cfg['results'] = {
            **cfg.get('results', {}),
            **parse_named_folders(args.results, '--results'),
        }
    if args.workers is not None:
        cfg['workers'] = args.workers
    if args.no_refine:
        cfg['refiner'] = False
    if not cfg.get('out_dir'):
        raise ValueError('give an output folder (-o OUTDIR or out_dir in the config)')
    if not (cfg.get('sources') or cfg.get('layout') or cfg.get('dataset')):
        raise ValueError(
            'give the sources (--source NAME=DIR, at least two), '
            '--layout with --data-root, or a dataset in the config'
        )
    if cfg.get('sources') and len(cfg['sources']) < 2:
        raise ValueError('give at least two --source NAME=DIR')
    return cfg


def run(args) -> int:
    from fusionbox.pseudo_labels import list_samples, run_pipeline, write_report

    try:
        cfg = settings(args)
        samples = list_samples(
            task=cfg.get('task'),
            sources=cfg.get('sources'),
            layout=cfg.get('layout'),
            data_root=cfg.get('data_root'),
            dataset=cfg.get('dataset'),
        )
        task = cfg.get('task') or (samples[0]['task'] if samples else None)
        if task is None:
            raise ValueError('give --task')
        if args.limit is not None:
            if args.limit < 1:
                raise ValueError(f'--limit must be a positive number of samples, got {args.limit}')
            samples = samples[: args.limit]
        config = dict(
            task=task,
            priors=cfg.get('priors'),
            results=cfg.get('results'),
            selector=cfg.get('selector'),
            refiner=cfg.get('refiner'),
        )
        outcome = run_pipeline(
            samples,
            cfg['out_dir'],
            config,
            workers=cfg.get('workers', 1),
            resume=not args.no_resume,
            progress=not args.no_progress,
        )
        summary = write_report(cfg['out_dir'])
    except (OSError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f'fusionbox pseudo-labels: error: {message}', file=sys.stderr)
        return 1
    failed = outcome['failed']
    print(
        f"labelled {len(outcome['done'])} sample(s), skipped {len(outcome['skipped'])} "
        f"finished one(s), failed {len(failed)}; outputs in {cfg['out_dir']}"
    )
    for name, s in summary.items():
        picks = ', '.join(f'{k} {v}' for k, v in s['picks'].items())
        print(
            f"  {name}: {s['samples']} samples; picks: {picks}; refinement improved "
            f"{s['refined_improved']}/{s['samples']} (mean gain {s['mean_gain']:.4f}, "
            f"min {s['min_gain']:.4f})"
        )
    if failed:
        names = ', '.join(stem for stem, _ in failed[:10])
        print(
            f'fusionbox pseudo-labels: error: {len(failed)} sample(s) failed: {names}',
            file=sys.stderr,
        )
        return 1
    return 0
