"""``fusionbox compare``: a paper-style figure of the sources and several methods' results.

    fusionbox compare --task T --source ROLE=DIR ... [--gt DIR]
        [--model NAME] [--config CFG --checkpoint CKPT] [--prior NAME] [--results NAME=DIR] ...
        [--stems a,b | --limit N] [--crop x,y,w,h] [--steps N] [--no-zoom] [--pdf]
        [--overwrite] -o FIGURE.png

Rows are samples (the source folders paired by stem, as ``fusionbox fuse`` pairs them), each
followed by a row of the same zoomed window of every image (``--crop x,y,w,h``, or per sample
the window of highest gradient energy of its sources); columns are the sources (titled by
role), the ground truth (``--gt DIR``), then the methods in the order given: zoo models
(``--model NAME``), trained configs (``--config CFG --checkpoint CKPT``), fusion priors by
name (``--prior Average``, ``GFF``...: the ``priors`` of ``fusionbox list``) and folders of
other methods' fused images (``--results NAME=DIR``, matched by stem). Colour sources and results
are shown in colour. Writes the PNG (and ``--pdf`` a PDF beside it) atomically; an existing
figure is kept unless ``--overwrite``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROG = 'fusionbox compare'


class _Method(argparse.Action):
    """Append ``(kind, value)`` to ``methods``: the columns keep the command line's order."""

    def __call__(self, parser, namespace, values, option_string=None):
        methods = list(getattr(namespace, 'methods', None) or [])
        methods.append((self.dest, values))
        namespace.methods = methods


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        'compare', help='figure: sources and several methods, zoomed crops', description=__doc__
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.error = lambda message: p.exit(2, f'{PROG}: error: {message}\n')
    p.add_argument('--task', required=True, help='fusion task: ivf, mif, mef or mff')
    p.add_argument('--source', action='append', required=True, metavar='ROLE=DIR',
                   help='a folder of one source, repeated per source in model order')  # fmt: skip
    p.add_argument('--gt', metavar='DIR', help='ground truth images, matched by stem')
    for kind, metavar, text in (
        ('model', 'NAME', 'a zoo model'),
        ('config', 'CFG', 'a model config (followed by --checkpoint)'),
        ('checkpoint', 'CKPT', 'weights of the preceding --config'),
        ('prior', 'NAME', 'a fusion prior by name (Average, GFF, ...)'),
        ('results', 'NAME=DIR', "a folder of another method's fused images"),
    ):
        p.add_argument(f'--{kind}', action=_Method, metavar=metavar, help=f'{text} (repeatable)')
    p.add_argument('--stems', help='the samples to show, comma-separated')
    p.add_argument('--limit', type=int, default=3, metavar='N', help='samples (default 3)')
    p.add_argument('--crop', metavar='x,y,w,h', help='the zoom window (default: automatic)')
    p.add_argument('--no-zoom', action='store_true', help='no zoomed rows')
    p.add_argument('--steps', type=int, metavar='N', help='sampling steps of flow models')
    p.add_argument('--pdf', action='store_true', help='also write a PDF')
    p.add_argument('--overwrite', action='store_true', help='replace an existing figure')
    p.add_argument('-o', '--output', required=True, metavar='FIGURE.png', help='the figure')
    p.set_defaults(func=run, methods=[])
    return p


def _build_methods(specs, steps) -> list:
    from fusionbox.visualization.compare_methods import FolderMethod, ModelMethod, PriorMethod

    methods, pending = [], None  # pending: a --config waiting for its --checkpoint
    for kind, value in [*specs, ('end', None)]:
        if pending is not None and kind != 'checkpoint':
            raise ValueError(f'--config {pending} needs a --checkpoint CKPT right after it')
        if kind == 'model':
            methods.append(ModelMethod(value, steps=steps))
        elif kind == 'config':
            pending = value
        elif kind == 'checkpoint':
            if pending is None:
                raise ValueError(f'--checkpoint {value} must follow a --config CFG')
            methods.append(ModelMethod(pending, value, steps=steps))
            pending = None
        elif kind == 'prior':
            methods.append(PriorMethod(value))
        elif kind == 'results':
            name, sep, folder = value.partition('=')
            if not sep or not name or not folder:
                raise ValueError(f'--results expects NAME=DIR, got {value!r}')
            methods.append(FolderMethod(name, folder))
    names = [m.name for m in methods]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f'method names repeat: {", ".join(repeated)} (rename with NAME=DIR)')
    return methods


def _samples(args) -> list:
    from fusionbox.cli.fuse import _pairs
    from fusionbox.visualization.compare_methods import Sample

    pairs, missing = _pairs(args.source)
    for stem, problem in missing:
        print(f'{PROG}: {stem}: {problem} (left out)', file=sys.stderr)
    if args.stems:
        wanted = [s.strip() for s in args.stems.split(',') if s.strip()]
        unknown = [s for s in wanted if s not in pairs]
        if unknown:
            raise ValueError(f'--stems: no paired sources for {", ".join(unknown)}')
        stems = wanted
    else:
        if args.limit < 1:
            raise ValueError(f'--limit must be at least 1, got {args.limit}')
        stems = sorted(pairs)[: args.limit]
    roles = [spec.partition('=')[0] for spec in args.source]
    return [Sample(stem, args.task, roles, list(pairs[stem])) for stem in stems]


def _crop(text: str | None):
    if not text:
        return None
    try:
        crop = [int(v) for v in text.split(',')]
    except ValueError:
        crop = []
    if len(crop) != 4:
        raise ValueError(f'--crop expects x,y,w,h (four integers), got {text!r}')
    return crop


def run(args) -> int:
    from fusionbox.cli.fuse import UsageError
    from fusionbox.structures import task_index
    from fusionbox.visualization.comparison import draw_grid

    task_index(args.task)  # ValueError naming the task
    out = Path(args.output)
    if out.suffix.lower() != '.png':
        raise ValueError(f'-o {out}: give a .png file (--pdf adds the PDF beside it)')
    formats = ['png', 'pdf'] if args.pdf else ['png']
    for path in (out.with_suffix(f'.{f}') for f in formats):
        if path.exists() and not args.overwrite:
            raise FileExistsError(f'{path} exists; pass --overwrite to replace it')
    if len(args.source) < 2:
        raise ValueError('give two or more --source ROLE=DIR')
    if args.steps is not None and not 1 <= args.steps <= 1000:
        raise ValueError(f'--steps must be in [1, 1000], got {args.steps}')
    crop = _crop(args.crop)
    try:
        samples = _samples(args)
    except UsageError as exc:
        raise ValueError(str(exc)) from None
    methods = _build_methods(args.methods, args.steps)
    if not methods and not args.gt:
        raise ValueError('nothing to compare: give --model, --config, --prior or --results')
    from fusionbox.visualization.compare_methods import comparison_rows

    log = lambda message: print(f'{PROG}: {message}', file=sys.stderr)  # noqa: E731
    rows = comparison_rows(samples, methods, args.gt, log=log)
    written = draw_grid(rows, out, zoom=not args.no_zoom, crop=crop, formats=formats,
                        overwrite=args.overwrite)  # fmt: skip
    names = ', '.join(m.name for m in methods)
    print(f'compared {names} on {len(rows)} samples: {", ".join(str(p) for p in written)}')
    return 0
