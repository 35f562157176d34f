"""Published per-image tables as reference rows: read them (long CSV: image, method, metric,
value), tell which protocol reproduces their evaluator, and rank computed methods among the
published ones only under that protocol, with a protocol check for methods in both.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence

from ..conformance import REFERENCE_SETS
from ..functional import PROTOCOLS, get_metric
from .ranking import build_leaderboard

PUBLISHED_COLUMNS = ('image', 'method', 'metric', 'value')


@dataclass
class PublishedTable:
    """A published per-image table read by :func:`read_published`.

    Args:
        path: the CSV file.
        protocol: the protocol that reproduces the evaluator that published it.
        metrics: FusionBox metric names, in the table's order.
        methods: the published methods, in the table's order.
        rows: ``{'dataset', 'method', 'stem', 'origin': 'published', <metric>: value}``.
    """

    path: Path
    protocol: str
    metrics: List[str]
    methods: List[str]
    rows: List[dict]


def identify_protocol(metric_names) -> str | None:
    """The protocol whose evaluator names its metrics this way (e.g. VIFB's ``Cross_entropy``,
    ``Mutinf``, ... -> ``'vifb'``), from :data:`~..conformance.REFERENCE_SETS`; None when the
    names do not tell (plain names such as ``EN`` are used by several evaluators)."""
    names = set(metric_names)
    for protocol, ref in REFERENCE_SETS.items():
        own = ref['names']
        if names <= set(own) and any(own[n] != n for n in names):
            return protocol
    return None


def read_published(path, protocol: str | None = None, dataset: str = 'published') -> PublishedTable:
    """Read a published long CSV (``image, method, metric, value``; one row per image, method
    and metric) whose evaluator is reproduced by ``protocol`` (None: recognised from the metric
    names, see :func:`identify_protocol`). Metric names are mapped to FusionBox's.

    Raises:
        FileNotFoundError: no such file.
        ValueError: naming the file (and line, method, image or metric): missing columns, a
            value that is not a number, a repeated cell, a metric not defined under the
            protocol, a method lacking a metric on an image, or a protocol that contradicts
            the metric names (or cannot be told from them).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'published table not found: {path}')
    cells: Dict[tuple, float] = {}
    with open(path, newline='') as f:
        reader = csv.DictReader(f)
        missing = [c for c in PUBLISHED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f'{path}: a published table needs the columns {", ".join(PUBLISHED_COLUMNS)}; '
                f'{", ".join(missing)} missing (header: {reader.fieldnames})'
            )
        for line, rec in enumerate(reader, 2):
            key = (rec['method'], Path(rec['image']).stem, rec['metric'])
            try:
                value = float(rec['value'])
            except (TypeError, ValueError):
                raise ValueError(
                    f'{path}, line {line}: {key[0]} / {key[1]} / {key[2]}: value '
                    f'{rec["value"]!r} is not a number'
                ) from None
            if key in cells:
                raise ValueError(f'{path}, line {line}: {key[0]} / {key[1]} / {key[2]} repeated')
            cells[key] = value
    if not cells:
        raise ValueError(f'{path}: the published table has no rows')
    raw = list(dict.fromkeys(k[2] for k in cells))
    told = identify_protocol(raw)
    if protocol is None and told is None:
        raise ValueError(
            f'{path}: cannot tell which evaluator published it from its metric names '
            f'({", ".join(raw)}); give its protocol (--published-protocol)'
        )
    if protocol is not None and told is not None and protocol != told:
        raise ValueError(
            f"{path}: its metric names are those of the {told!r} protocol's evaluator, not of "
            f"{protocol!r}'s"
        )
    protocol = protocol or told
    if protocol not in PROTOCOLS:
        raise ValueError(
            f'{path}: unknown protocol {protocol!r}; expected one of {tuple(PROTOCOLS)}'
        )
    mapping = REFERENCE_SETS.get(protocol, {}).get('names', {})
    names = {m: mapping.get(m, m) for m in raw}
    for m, ours in names.items():
        try:
            get_metric(ours).spec.impl(protocol)
        except KeyError as e:
            raise ValueError(f'{path}: metric {m!r}: {e.args[0]}') from None
    methods = list(dict.fromkeys(k[0] for k in cells))
    stems = list(dict.fromkeys(k[1] for k in cells))
    rows = []
    for method in methods:
        for stem in stems:
            have = [m for m in raw if (method, stem, m) in cells]
            if not have:
                continue
            if len(have) < len(raw):
                lack = [m for m in raw if m not in have]
                raise ValueError(f'{path}: {method} / {stem} lacks {", ".join(lack)}')
            row = {'dataset': dataset, 'method': method, 'stem': stem, 'origin': 'published'}
            row.update({names[m]: cells[(method, stem, m)] for m in raw})
            rows.append(row)
    return PublishedTable(path, protocol, [names[m] for m in raw], methods, rows)


def check_protocol(table: PublishedTable, protocol: str) -> None:
    """Refuse (ValueError) to rank ``table`` beside values computed under another protocol."""
    if protocol != table.protocol:
        raise ValueError(
            f'{table.path} was published by {PROTOCOLS[table.protocol]}; its rows can only be '
            f'ranked beside values computed under --protocol {table.protocol}, not {protocol!r} '
            '(the same metric names mean different numbers under different protocols)'
        )


def rank_with_published(
    rows: Sequence[dict],
    metrics: Sequence[str],
    table: PublishedTable,
    protocol: str,
    exclude: Sequence[str] = (),
    title: str = 'FusionBox leaderboard',
    log=None,
) -> dict:
    """Rank computed ``rows`` (one dataset) among ``table``'s published methods.

    A computed method with a published method's name takes that method's place (its published
    row is left out of the ranking and compared in ``board['checks']``); ``exclude`` leaves
    further published methods out. Only the images both have are used; every metric must be
    one of the table's. ``board['published']`` names the file; entries carry ``origin``.

    Returns:
        the :func:`build_leaderboard` board, plus ``checks``: per computed method that is also
        published, ``{'rel_diff': {metric: value}, 'avg_rank', 'published_avg_rank',
        'place', 'published_place'}`` (the published figures from the table alone).
    """
    check_protocol(table, protocol)
    lack = [m for m in metrics if m not in table.metrics]
    if lack:
        raise ValueError(
            f'{table.path} has no {", ".join(lack)} (it has {", ".join(table.metrics)})'
        )
    datasets = list(dict.fromkeys(r['dataset'] for r in rows))
    if len(datasets) != 1:
        raise ValueError(f'a published table is ranked beside one dataset, got {datasets}')
    computed = list(dict.fromkeys(r['method'] for r in rows))
    stems = {r['stem'] for r in rows} & {r['stem'] for r in table.rows}
    if not stems:
        raise ValueError(
            f'{table.path}: none of its images is among the evaluated samples of {datasets[0]}'
        )
    n_computed = len({r['stem'] for r in rows})
    if log is not None and len(stems) < n_computed:
        log(f'warning: ranking on the {len(stems)} of {n_computed} images {table.path} has')
    left_out = set(computed) | set(exclude)
    published = [
        dict(r, dataset=datasets[0])
        for r in table.rows
        if r['stem'] in stems and r['method'] not in left_out
    ]
    mine = [dict(r, origin='computed') for r in rows if r['stem'] in stems]
    board = build_leaderboard(published + mine, metrics, protocol, title, log)
    board['published'] = str(table.path)
    board['checks'] = {}
    twins = [m for m in computed if m in table.methods]
    if twins:
        alone = build_leaderboard(
            [
                dict(r, dataset=datasets[0])
                for r in table.rows
                if r['stem'] in stems and r['method'] not in exclude
            ],
            metrics,
            protocol,
        )['tables'][datasets[0]]
        here = board['tables'][datasets[0]]
        for m in twins:
            ours = next(e for e in here if e['method'] == m)
            theirs = next(e for e in alone if e['method'] == m)
            board['checks'][m] = {
                'rel_diff': {k: _rel_diff(ours['values'][k], theirs['values'][k]) for k in metrics},
                'avg_rank': ours['avg_rank'],
                'published_avg_rank': theirs['avg_rank'],
                'place': here.index(ours) + 1,
                'published_place': alone.index(theirs) + 1,
            }
    return board


def _rel_diff(a, b) -> float | None:
    if a is None or b is None:
        return None
    return abs(a - b) / max(abs(b), 1e-12)
