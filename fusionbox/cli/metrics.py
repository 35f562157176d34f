"""``fusionbox metrics``: score a folder of fused images against their sources.

    fusionbox metrics --protocol vifb --task ivf --source vi=DIR --source ir=DIR --fused DIR \\
        [--metrics EN,SSIM,Qabf] [--format csv|json|md] [--workers N] [-o FILE] [--overwrite]

Writes a long table ``image,metric,value,error`` (images by file stem) and prints per-metric
means. A metric that cannot be computed on an image (undefined there, e.g. Qabf on flat sources,
or an input error such as sizes that differ) gets an empty value and the reason in ``error``; it
is left out of the means, and a warning per metric says how many images were left out.
A fused file matches the source files with the same stem, or, failing that, the longest source
stem it starts with followed by ``_`` (VIFB names results ``<stem>_<method>.jpg``).
Images are scored in ``--workers`` processes; the table does not depend on their number.
A bad sample (a fused or source file that cannot be read: empty, truncated, corrupt; or a fused
image whose size differs from its sources') is reported on one line naming the files and
skipped; the others are scored, the summary counts the skipped ones and the exit status is 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

from .options import parse_named_folders


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        'metrics',
        help='compute fusion metrics on folders of images',
        description=__doc__.split('\n\n')[0],
    )
    p.add_argument(
        '--protocol',
        default='standard',
        help='standard, cddfuse, vifb, tang or mefb (default: standard)',
    )
    p.add_argument('--task', default='ivf', help='fusion task, e.g. ivf (default: ivf)')
    p.add_argument(
        '--source',
        action='append',
        required=True,
        metavar='NAME=DIR',
        help='a source folder, repeated once per source (e.g. ir=data/ir)',
    )
    p.add_argument('--fused', required=True, metavar='DIR', help='folder of fused images')
    p.add_argument('--gt', metavar='DIR', help='folder of ground truths (full-reference metrics)')
    p.add_argument(
        '--metrics',
        help='comma-separated metric names (default: all of the '
        "protocol's no-reference metrics, plus reference ones with --gt)",
    )
    p.add_argument(
        '--format',
        choices=('csv', 'json', 'md'),
        default=None,
        help='output format (default: from the -o suffix, else csv)',
    )
    p.add_argument(
        '--workers',
        type=int,
        default=None,
        help='processes that score images in parallel (default: FUSIONBOX_METRIC_WORKERS, '
        'else min(2, CPUs); the table is the same for any number)',
    )
    p.add_argument('-o', '--output', metavar='FILE', help='write the table here (default: stdout)')
    p.add_argument('--overwrite', action='store_true', help='replace an existing -o file')
    p.set_defaults(func=run)
    return p


def _match(stem: str, files: dict):
    """The file of ``files`` ({stem: path}) that fused image ``stem`` belongs to, or None."""
    from fusionbox.utils.image_io import match_stem

    key = match_stem(stem, files)
    return None if key is None else files[key]


def long_table(rows, fmt: str) -> str:
    """``(image, metric, value[, error])`` rows as csv, json or markdown text; ``value`` is
    None (an empty cell, ``null`` in JSON) where ``error`` says why there is none."""
    rows = [tuple(r) + (None,) * (4 - len(r)) for r in rows]
    if fmt == 'json':
        items = []
        for i, m, v, err in rows:
            item = {'image': i, 'metric': m, 'value': None if v is None else float(v)}
            if err:
                item['error'] = err
            items.append(item)
        return json.dumps(items, indent=2) + '\n'
    if fmt == 'md':
        lines = ['| image | metric | value | error |', '|---|---|---|---|']
        lines += [
            f'| {i} | {m} | {"" if v is None else f"{v:.6g}"} | '
            f'{(err or "").replace("|", chr(92) + "|")} |'
            for i, m, v, err in rows
        ]
        return '\n'.join(lines) + '\n'
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(['image', 'metric', 'value', 'error'])
    writer.writerows(
        [(i, m, '' if v is None else repr(float(v)), err or '') for i, m, v, err in rows]
    )
    return buf.getvalue()


def run(args) -> int:
    from fusionbox.evaluation.batch import BadSample, SampleJob, evaluate_samples
    from fusionbox.evaluation.functional import PROTOCOLS, get_metric, list_metrics
    from fusionbox.utils.image_io import list_images
    from fusionbox.utils.io import atomic_write_text

    if args.protocol not in PROTOCOLS:
        print(
            f'error: unknown protocol {args.protocol!r}; choose from {", ".join(PROTOCOLS)}',
            file=sys.stderr,
        )
        return 2
    out = Path(args.output) if args.output else None
    if out is not None and out.exists() and not args.overwrite:
        print(f'error: {out} exists; pass --overwrite to replace it', file=sys.stderr)
        return 1
    fmt = args.format or (
        out.suffix.lstrip('.')
        if out is not None and out.suffix.lstrip('.') in ('csv', 'json', 'md')
        else 'csv'
    )
    try:
        sources = [(n, Path(d)) for n, d in parse_named_folders(args.source, '--source').items()]
        names = (
            args.metrics.split(',')
            if args.metrics
            else [
                n for n in list_metrics(args.protocol) if args.gt or not get_metric(n).spec.needs_gt
            ]
        )
        fns = {n: get_metric(n) for n in names}
        for fn in fns.values():
            fn.spec.impl(args.protocol)
        fused_files = list_images(args.fused, 'fused')
        source_files = [(name, list_images(folder, name)) for name, folder in sources]
        gt_files = list_images(args.gt, 'gt') if args.gt else {}
    except (ValueError, KeyError, FileNotFoundError) as e:
        print(f'error: {e.args[0] if e.args else e}', file=sys.stderr)
        return 2

    jobs, skipped = [], []
    src_names = tuple(n for n, _ in sources)
    for stem, fused_path in fused_files.items():
        paths = [_match(stem, files) for _, files in source_files]
        if any(p is None for p in paths):
            skipped.append(stem)
            continue
        gt_path = _match(stem, gt_files) if gt_files else None
        jobs.append(SampleJob(stem, tuple(paths), (fused_path,), src_names, gt_path))
    try:
        results = evaluate_samples(jobs, names, args.protocol, args.workers, skip_bad=True)
    except (ValueError, FileNotFoundError) as e:
        print(f'error: {e.args[0] if e.args else e}', file=sys.stderr)
        return 2
    rows, bad = [], []
    for job, result in zip(jobs, results):
        if isinstance(result, BadSample):
            print(f'error: skipped {result.key}: {result.reason}', file=sys.stderr)
            bad.append(result.key)
            continue
        [(values, errors)] = result
        done = [n for n in names if n in values or n in errors]
        rows += [(job.key, n, values.get(n), errors.get(n)) for n in done]
    if skipped:
        print(
            f'warning: no matching sources for {len(skipped)} fused image(s): '
            f'{", ".join(skipped[:5])}',
            file=sys.stderr,
        )
    if not rows:
        what = 'scored' if bad else 'matched with its sources'
        print(f'error: no fused image could be {what}', file=sys.stderr)
        return 1
    n_images = len({r[0] for r in rows})
    for name in names:
        errs = [(i, e) for i, m, v, e in rows if m == name and v is None]
        if errs:
            print(
                f'warning: {name}: no value for {len(errs)} of {n_images} image(s), left out '
                f'of the mean (first: {errs[0][0]}: {errs[0][1]})',
                file=sys.stderr,
            )
    if all(r[2] is None for r in rows):
        print('error: no metric could be computed on any image', file=sys.stderr)
        return 1

    text = long_table(rows, fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text, overwrite=args.overwrite)
    stream = sys.stderr if out is None else sys.stdout
    skipped_note = f', {len(bad)} skipped (bad samples)' if bad else ''
    print(
        f'# {n_images} images{skipped_note}, task {args.task}, protocol {args.protocol}',
        file=stream,
    )
    for name in names:
        vals = [v for _, m, v, _ in rows if m == name and v is not None]
        missing = sum(1 for _, m, v, _ in rows if m == name and v is None)
        if vals:
            direction = '+' if fns[name].higher_is_better else '-'
            if math.inf in vals and -math.inf in vals:
                mean = 'undefined (+inf and -inf)'
            else:
                mean = f'{sum(vals) / len(vals):.6g}'
            note = f'  [{missing} image(s) left out]' if missing else ''
            print(f'{name:<10} {mean}  ({direction}){note}', file=stream)
    if bad:
        print(
            f'error: {len(bad)} of {len(jobs)} sample(s) skipped as bad (listed above): '
            f'{", ".join(bad[:5])}{", ..." if len(bad) > 5 else ""}',
            file=sys.stderr,
        )
        return 1
    return 0
