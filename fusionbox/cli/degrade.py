"""``fusionbox degrade``: apply named degradations to images, write them and print the prompt.

Examples::

    fusionbox degrade --ops rain,haze --seed 0 photo.png -o out/
    fusionbox degrade --ops stripe_noise,rain --names ir,vi ir.png vi.png -o out/
    fusionbox degrade --ops stripe_noise,rain --names ir,vi data/ir data/vi -o out/

Without ``--names`` every input is degraded on its own by every operation. With ``--names`` the
inputs are the registered sources of one sample: each operation degrades the sources it is
meant for (rain the visible image, stripes the infrared one) and one prompt names them; given
folders (one per name), their images are paired by stem, one sample (and prompt) per stem,
drawn by ``(seed, stem)``. Outputs are PNG files ``OUTDIR/<input stem>.png``
(``OUTDIR/<name>/<input stem>.png`` with ``--names``, the folder layout the datasets read) plus
``OUTDIR/degradations.json``, the record: per sample the inputs (absolute paths), the outputs,
the source names, what was applied (with the drawn strengths) and the prompt; written
atomically; existing outputs are left alone unless ``--overwrite``. ``fusionbox fuse
--prompts-from OUTDIR`` and ``DegradedRecordDataset`` read the record back.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np

MANIFEST = 'degradations.json'


def _fail(message: str) -> int:
    print(f'fusionbox degrade: error: {message}', file=sys.stderr)
    return 2


def _list_ops() -> int:
    from fusionbox.degradations import BaseDegradation
    from fusionbox.registry import DEGRADATIONS

    for name, cls in sorted(DEGRADATIONS.module_dict.items()):
        if isinstance(cls, type) and issubclass(cls, BaseDegradation):
            kinds = ','.join(cls.applies_to)
            print(f'{getattr(cls, "key", "") or "-":<16} {name:<18} applies to: {kinds}')
    return 0


def _samples(inputs: list, names: list | None) -> list:
    """``[(rng key, [paths])]``: each image alone (key ``(i,)``) without ``names``; with them
    the inputs as one sample (key ``()``), or folders paired by stem (key ``(crc32(stem),)``)."""
    if names is None:
        return [((i,), [p]) for i, p in enumerate(inputs)]
    folders = [p.is_dir() for p in inputs]
    if not any(folders):
        return [((), inputs)]
    if not all(folders):
        raise ValueError('give the sources of one sample as files or as folders, not both')
    from fusionbox.utils.image_io import list_images

    listed = [list_images(p, f'source {n!r}') for n, p in zip(names, inputs)]
    stems = sorted(set().union(*listed))
    for stem in stems:
        for name, files, folder in zip(names, listed, inputs):
            if stem not in files:
                other = next(f[stem] for f in listed if stem in f)
                raise ValueError(f'{other} has no partner in the {name!r} folder {folder}')
    if not stems:
        raise ValueError(f'no image in the folders {", ".join(map(str, inputs))}')
    return [((zlib.crc32(s.encode()),), [files[s] for files in listed]) for s in stems]


def run(args) -> int:
    from fusionbox.degradations import DegradationPromptComposer, resolve_name
    from fusionbox.degradations.composer import apply_operations
    from fusionbox.registry import DEGRADATIONS
    from fusionbox.utils import atomic_write_json, register_all_modules
    from fusionbox.utils.image_io import read_image, write_image

    register_all_modules()
    if args.list:
        return _list_ops()
    if not args.ops:
        return _fail('give the operations with --ops (e.g. --ops rain,haze; --list shows them)')
    if not args.inputs or args.out is None:
        return _fail('give input images and an output folder (-o OUTDIR)')
    try:
        names = [resolve_name(n.strip()) for n in args.ops.split(',') if n.strip()]
    except KeyError as exc:
        return _fail(exc.args[0])
    ops = [(n, DEGRADATIONS.build(dict(type=n))) for n in dict.fromkeys(names)]
    ops.sort(key=lambda pair: pair[1].stage)
    source_names = None
    if args.names:
        source_names = [n.strip() for n in args.names.split(',')]
        if len(source_names) != len(args.inputs):
            return _fail(f'--names gives {len(source_names)} names for {len(args.inputs)} inputs')
        unused = [n for n, op in ops if not any(op.accepts(s) for s in source_names)]
        if unused:
            return _fail(
                f'{", ".join(unused)} applies to none of the sources {source_names} '
                '(see --list for the source kinds of each operation)'
            )

    try:
        groups = _samples([Path(p) for p in args.inputs], source_names)
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    out_dir = Path(args.out)
    inputs = [p for _, paths in groups for p in paths]
    if source_names is None:
        outputs = [out_dir / f'{p.stem}.png' for p in inputs]
    else:  # a folder per source, as the folder layouts of the datasets
        outputs = [
            out_dir / n / f'{p.stem}.png' for _, ps in groups for n, p in zip(source_names, ps)
        ]
    if len(set(outputs)) != len(outputs):
        return _fail('two inputs share a file stem; their outputs would collide (give --names)')
    if not args.overwrite:
        existing = [str(p) for p in [*outputs, out_dir / MANIFEST] if p.exists()]
        if existing:
            return _fail(f'refusing to overwrite {", ".join(existing)} (use --overwrite)')
    images = []
    for path in inputs:
        try:
            images.append(read_image(str(path)))
        except (OSError, ValueError) as exc:
            return _fail(f'cannot read input image {path}: {exc}')

    entries, shown, start = [], [], 0
    for key, paths in groups:
        k = slice(start, start + len(paths))
        start += len(paths)
        rng = np.random.default_rng([args.seed, *key])
        images[k], records = apply_operations(ops, images[k], source_names, rng)
        entry = dict(inputs=[str(p.resolve()) for p in paths], outputs=[str(p) for p in outputs[k]])
        if source_names is not None:
            entry['source_names'] = source_names
        prompt = DegradationPromptComposer()(records, source_names, rng)
        entries.append(dict(entry, degradations=records, prompt=prompt))
        shown.append(paths[0])
    for image, path in zip(images, outputs):
        write_image(path, image, overwrite=args.overwrite)
    atomic_write_json(
        out_dir / MANIFEST,
        dict(seed=args.seed, ops=[n for n, _ in ops], samples=entries),
        overwrite=args.overwrite,
    )
    for path, entry in zip(shown, entries):
        print(f'{path}: {entry["prompt"]}' if len(entries) > 1 else entry['prompt'])
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        'degrade',
        help='apply degradations to images and print the restoration prompt',
        description=__doc__.split('\n\n')[0],
    )
    parser.add_argument(
        'inputs', nargs='*', metavar='IN', help='input images (or folders with --names)'
    )
    parser.add_argument('-o', '--out', metavar='OUTDIR', help='output folder')
    parser.add_argument(
        '--ops',
        help='comma-separated operations (keys such as rain, haze, '
        'jpeg, stripe_noise or registered names); see --list',
    )
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument(
        '--names',
        help='comma-separated source names of the inputs (e.g. ir,vi): treat them as one '
        'sample, or as folders of samples paired by stem',
    )
    parser.add_argument('--overwrite', action='store_true', help='replace existing outputs')
    parser.add_argument('--list', action='store_true', help='list the operations and exit')
    parser.set_defaults(func=run)
