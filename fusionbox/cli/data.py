"""``fusionbox data``: build the embedded benchmark, check a dataset folder, list layouts."""

from __future__ import annotations

import json
from pathlib import Path


def _embedded(args) -> int:
    from fusionbox.datasets.embedded.builder import build_embedded_benchmark

    root = build_embedded_benchmark(root=args.root, seed=args.seed, size=args.size)
    print(f'embedded benchmark ready: {root}')
    return 0


def _check(args) -> int:
    """Index a dataset folder (named layout or explicit sources) and load every sample once."""
    from fusionbox.registry import DATASETS
    from fusionbox.utils import register_all_modules

    if not Path(args.root).is_dir():
        raise FileNotFoundError(f'dataset folder {args.root} does not exist')
    register_all_modules()
    cfg = dict(
        type='MultiSourceFusionDataset',
        data_root=args.root,
        layout=args.layout,
        pipeline=[dict(type='LoadMultiSourceImages')],
    )
    if args.task:
        cfg['task'] = args.task
    if args.sources:
        cfg['sources'] = args.sources.split(',')
    dataset = DATASETS.build(cfg)
    shapes = {}
    for index in range(len(dataset)):
        results = dataset[index]  # raises naming the file on unreadable or mismatched images
        shapes[results['stem']] = [list(s.shape) for s in results['sources']]
    print(
        json.dumps(
            {
                'samples': len(dataset),
                'task': dataset.metainfo['task'],
                'sources': list(dataset.metainfo['source_names']),
                'shapes': shapes if args.verbose else None,
            },
            indent=2,
        )
    )
    return 0


def _layouts(args) -> int:
    from fusionbox.datasets.layouts import LAYOUTS

    for name, layout in sorted(LAYOUTS.items()):
        print(f'{name:<20} {layout.task}  sources={list(layout.sources)}  {layout.note}')
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser('data', help='embedded benchmark, dataset checks, layouts')
    sub = parser.add_subparsers(dest='data_command', metavar='ACTION', required=True)
    emb = sub.add_parser('embedded', help='generate (or find cached) the embedded benchmark')
    emb.add_argument('--root', default=None, help='cache folder (default: $FUSIONBOX_CACHE)')
    emb.add_argument('--seed', type=int, default=0)
    emb.add_argument('--size', type=int, default=128)
    emb.set_defaults(func=_embedded)
    check = sub.add_parser('check', help='index a dataset folder and read every sample once')
    check.add_argument('root', help='the dataset folder')
    check.add_argument(
        '--layout', default=None, help='a named layout (see `fusionbox data ' 'layouts`)'
    )
    check.add_argument('--task', default=None)
    check.add_argument('--sources', default=None, help='comma-separated source folders')
    check.add_argument('--verbose', action='store_true', help="print every sample's shapes")
    check.set_defaults(func=_check)
    lay = sub.add_parser('layouts', help='list the named dataset layouts')
    lay.set_defaults(func=_layouts)
