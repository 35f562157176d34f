"""Check a protocol against the values its evaluator published (shared reference data).

``../shared/data/reference/`` holds long CSVs (image, method, metric, value); each entry of
:data:`REFERENCE_SETS` says which protocol, sources and fused images produced them, and how the
published metric names map to FusionBox's.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from fusionbox.utils.paths import shared_data_root

from .functional import get_metric
from .io import read_for_protocol

REFERENCE_SETS = {
    'vifb': dict(
        csv='reference/vifb_published_ADF.csv',
        root='ivf/VIFB',
        sources=('vi', 'ir'),
        fused='ivf/VIFB/fused_reference/ADF/{stem}_ADF.jpg',
        source_ext='.jpg',
        names={
            'Cross_entropy': 'CE',
            'Entropy': 'EN',
            'Mutinf': 'MI',
            'Psnr': 'PSNR',
            'Avg_gradient': 'AG',
            'Edge_intensity': 'EI',
            'Qabf': 'Qabf',
            'Variance': 'SD',
            'Spatial_frequency': 'SF',
            'Rmse': 'RMSE',
            'Ssim': 'SSIM',
            'Qcb': 'Qcb',
            'Qcv': 'Qcv',
        },
    ),
    'tang': dict(
        csv='reference/tang_tno_published_SeAFusion.csv',
        root='ivf/TNO',
        sources=('ir', 'vi'),
        fused='ivf/TNO/fused_reference/SeAFusion_TNO/{stem}.png',
        source_ext='.png',
        names={
            m: m
            for m in (
                'EN',
                'SF',
                'SD',
                'PSNR',
                'MSE',
                'MI',
                'VIF',
                'AG',
                'CC',
                'SCD',
                'Qabf',
                'Nabf',
                'SSIM',
            )
        },
    ),
}


def load_reference(protocol: str, root=None) -> dict:
    """``{stem: {fusionbox_metric: published_value}}`` for ``protocol``'s reference set."""
    ref = REFERENCE_SETS[protocol]
    root = Path(root) if root is not None else shared_data_root()
    table = defaultdict(dict)
    with open(root / ref['csv'], newline='') as f:
        for row in csv.DictReader(f):
            name = ref['names'].get(row['metric'], row['metric'])
            table[Path(row['image']).stem][name] = float(row['value'])
    return dict(table)


def conformance(protocol: str, metrics=None, root=None, stems=None) -> dict:
    """Recompute the published values; returns ``{metric: (max_rel_err, [(stem, ours,
    published), ...])}`` for the metrics FusionBox defines under ``protocol``."""
    ref = REFERENCE_SETS[protocol]
    root = Path(root) if root is not None else shared_data_root()
    published = load_reference(protocol, root)
    out = defaultdict(list)
    for stem in sorted(published if stems is None else stems):
        srcs = [
            read_for_protocol(root / ref['root'] / s / f'{stem}{ref["source_ext"]}', protocol)
            for s in ref['sources']
        ]
        fused = read_for_protocol(root / ref['fused'].format(stem=stem), protocol)
        for name, value in published[stem].items():
            if metrics is not None and name not in metrics:
                continue
            try:
                fn = get_metric(name)
                fn.spec.impl(protocol)
            except KeyError:
                continue
            out[name].append((stem, fn(fused, srcs, protocol=protocol), value))
    return {
        name: (max(abs(o - p) / max(abs(p), 1e-12) for _, o, p in rows), rows)
        for name, rows in out.items()
    }


def format_table(result: dict) -> str:
    """Markdown table: metric, images, max relative error, median relative error."""
    lines = ['| metric | images | max rel. error | median rel. error |', '|---|---|---|---|']
    for name, (worst, rows) in result.items():
        med = float(np.median([abs(o - p) / max(abs(p), 1e-12) for _, o, p in rows]))
        lines.append(f'| {name} | {len(rows)} | {worst:.2e} | {med:.2e} |')
    return '\n'.join(lines)
