"""Place a fusion model in VIFB's published table: 25 methods x 21 pairs x 13 metrics.

The entry is scored on the 21 VIFB pairs under FusionBox's ``vifb`` protocol (VIFB's MATLAB
metrics reproduced; sources visible first, then infrared; colour evaluated per channel), then
ranked with the 25 published methods (``reference/vifb_published_all-methods.csv`` under the
shared data): per metric the mean over the 21 images, a rank per metric (CE, RMSE and Qcv lower
is better, by each metric's registered direction; ties share their average rank), the average
rank over the 13 metrics, and the entry's place among the 26. VIFB is an evaluation set: never
train on it or choose checkpoints or settings by it.

Usage::

    python benchmarks/vifb_placement.py --fused [NAME=]DIR ... --out OUT
    python benchmarks/vifb_placement.py --model [NAME=]CONFIG:CHECKPOINT --out OUT [--steps N]
    python benchmarks/vifb_placement.py --model ZOO_NAME --out OUT

``--fused`` is a folder of fused VIFB results ``<stem>.<ext>`` (or ``<stem>_<method>.<ext>``, as
VIFB names them); ``--model`` fuses the pairs first with ``fusionbox.apis.FusionInferencer`` into
``OUT/fused/<NAME>/<stem>.png``. ``--exclude METHOD`` leaves a published method out (the sanity
check places ADF's published images among the 24 others). Writes ``OUT/placement.md``,
``placement.csv``, ``placement.json`` and ``placement.png`` (average rank bars).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np

from fusionbox.evaluation import REFERENCE_SETS, SOURCE_ORDER, read_for_protocol
from fusionbox.evaluation.functional import evaluate_image
from fusionbox.evaluation.leaderboard import (  # build_leaderboard: the published-only board
    PublishedTable,
    build_leaderboard,  # noqa: F401
    rank_with_published,
    read_published,
)
from fusionbox.utils.image_io import list_images, match_stem
from fusionbox.utils.paths import shared_data_root

PROTOCOL = 'vifb'
DATASET = 'VIFB'
PUBLISHED_CSV = 'reference/vifb_published_all-methods.csv'
VIFB_DIR = 'ivf/VIFB'
#: VIFB's metric names -> FusionBox's, in VIFB's column order.
METRIC_NAMES: Dict[str, str] = dict(REFERENCE_SETS['vifb']['names'])
METRICS: List[str] = list(METRIC_NAMES.values())


# --- the published table --------------------------------------------------------------------
def load_published(root: Path) -> List[dict]:
    """Rows ``{'dataset', 'method', 'stem', 'origin', <metric>: value}`` of the published table
    (read by :func:`fusionbox.evaluation.leaderboard.read_published`)."""
    return read_published(Path(root) / PUBLISHED_CSV, PROTOCOL, dataset=DATASET).rows


def vifb_sources(root: Path) -> Tuple[List[str], Dict[str, List[Path]]]:
    """The VIFB stems and, per stem, its source paths in the ``vifb`` order (vi, ir)."""
    folders = {name: list_images(Path(root) / VIFB_DIR / name) for name in ('ir', 'vi')}
    stems = sorted(set(folders['ir']) & set(folders['vi']))
    if not stems:
        raise FileNotFoundError(f'no VIFB pair under {Path(root) / VIFB_DIR}')
    return stems, {s: [folders[n][s] for n in SOURCE_ORDER[PROTOCOL]] for s in stems}


# --- scoring an entry -----------------------------------------------------------------------
def score_folder(folder, name: str, root: Path, threads: int | None = None) -> List[dict]:
    """Score a folder of fused VIFB results under the ``vifb`` protocol; one row per pair.
    Every one of the 21 pairs must have a result (FileNotFoundError naming the missing ones)."""
    stems, sources = vifb_sources(root)
    fused: Dict[str, Path] = {}
    for fstem, path in list_images(folder).items():
        stem = match_stem(fstem, stems)
        if stem is not None:
            fused[stem] = path
    missing = [s for s in stems if s not in fused]
    if missing:
        raise FileNotFoundError(
            f'{folder} lacks the fused result of {len(missing)} VIFB pair(s): {missing[:5]}'
        )
    rows = []
    for stem in stems:
        srcs = [read_for_protocol(p, PROTOCOL) for p in sources[stem]]
        img = read_for_protocol(fused[stem], PROTOCOL)
        values, errors = evaluate_image(METRICS, img, srcs, protocol=PROTOCOL, threads=threads)
        row = {'dataset': DATASET, 'method': name, 'stem': stem}
        row.update({m: values.get(m) for m in METRICS})
        if errors:
            row['errors'] = errors
        rows.append(row)
    return rows


def fuse_pairs(model: str, out_dir, root: Path, steps: int | None = None, log=print) -> Path:
    """Fuse the 21 VIFB pairs with ``model`` (``CONFIG:CHECKPOINT`` or a zoo name) through
    :class:`fusionbox.apis.FusionInferencer` into ``out_dir/<stem>.png``; returns ``out_dir``."""
    from fusionbox.apis import FusionInferencer
    from fusionbox.utils.image_io import write_image

    config, sep, checkpoint = model.partition(':')
    inferencer = FusionInferencer(
        model=config, checkpoint=checkpoint if sep else None, device='cpu'
    )
    stems, sources = vifb_sources(root)
    out_dir = Path(out_dir)
    for i, stem in enumerate(stems, 1):
        vi, ir = sources[stem]
        # one sample (a list of samples -> a list of images); model order: ir, vi
        (image,) = inferencer([[str(ir), str(vi)]], task='ivf', steps=steps)
        write_image(out_dir / f'{stem}.png', np.asarray(image, dtype=np.float32), overwrite=True)
        log(f'  fused {i}/{len(stems)} {stem}')
    return out_dir


# --- placing ---------------------------------------------------------------------------------
def place(published: Sequence[dict], entry_rows: Sequence[dict], exclude=()) -> dict:
    """The leaderboard of the published methods (minus ``exclude``) and one entry, ranked by
    :func:`fusionbox.evaluation.leaderboard.rank_with_published` (per-metric means, ranks, the
    average rank); plus ``board['place']`` and ``board['entry']``."""
    name = entry_rows[0]['method']
    if name in {r['method'] for r in published} - set(exclude):
        raise ValueError(f'entry name {name!r} is a published method; choose another --name')
    methods = list(dict.fromkeys(r['method'] for r in published))
    table = PublishedTable(Path(PUBLISHED_CSV), PROTOCOL, METRICS, methods, list(published))
    board = rank_with_published(
        entry_rows, METRICS, table, PROTOCOL, exclude, title=f'VIFB placement: {name}'
    )
    entries = board['tables'][DATASET]
    board['entry'] = name
    board['place'] = next(i for i, e in enumerate(entries, 1) if e['method'] == name)
    return board


def to_markdown(boards: Sequence[dict], command: str = '') -> str:
    arrows = {m: '↑' if boards[0]['higher_is_better'][m] else '↓' for m in METRICS}
    lines = [
        '# VIFB placement',
        '',
        f'Protocol `{PROTOCOL}`; 21 VIFB pairs; each entry ranked with the published methods of '
        "VIFB's table (per-metric means over the 21 images, rank per metric, average rank over "
        'the 13 metrics; ↑ higher is better, ↓ lower is better).',
        '',
    ]
    if command:
        lines += [f'Command: `{command}`', '']
    lines += ['| entry | place | of | average rank |', '|---|---|---|---|']
    for b in boards:
        e = _entry(b)
        lines.append(
            f'| {b["entry"]} | {b["place"]} | {len(b["tables"][DATASET])} | {e["avg_rank"]:.2f} |'
        )
    for b in boards:
        lines += [
            '',
            f'## {b["entry"]}',
            '',
            '| # | method | ' + ' | '.join(f'{m} {arrows[m]}' for m in METRICS) + ' | avg rank |',
            '|' + '---|' * (len(METRICS) + 3),
        ]
        for pos, e in enumerate(b['tables'][DATASET], 1):
            name = f'**{e["method"]}**' if e['method'] == b['entry'] else e['method']
            cells = [_fmt(e['values'][m]) for m in METRICS]
            lines.append(f'| {pos} | {name} | ' + ' | '.join(cells) + f' | {e["avg_rank"]:.2f} |')
    return '\n'.join(lines) + '\n'


def to_csv(boards: Sequence[dict]) -> str:
    rows = [['entry', 'position', 'method', *METRICS, *[f'rank_{m}' for m in METRICS], 'avg_rank']]
    for b in boards:
        for pos, e in enumerate(b['tables'][DATASET], 1):
            rows.append(
                [b['entry'], pos, e['method']]
                + [repr(e['values'][m]) for m in METRICS]
                + [e['ranks'][m] for m in METRICS]
                + [e['avg_rank']]
            )
    return '\n'.join(','.join(map(str, r)) for r in rows) + '\n'


def draw(boards: Sequence[dict], path) -> None:
    """Average rank bars, one panel per entry, the entry in orange."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6 * len(boards), 7))
    FigureCanvasAgg(fig)
    for ax, b in zip(np.atleast_1d(fig.subplots(1, len(boards))), boards):
        entries = b['tables'][DATASET][::-1]
        colours = ['tab:orange' if e['method'] == b['entry'] else 'tab:blue' for e in entries]
        ax.barh([e['method'] for e in entries], [e['avg_rank'] for e in entries], color=colours)
        ax.set_xlabel('average rank over 13 metrics (lower is better)')
        ax.set_title(f'{b["entry"]}: place {b["place"]} of {len(entries)}')
    fig.tight_layout()
    fig.savefig(str(path), dpi=100)


def _entry(board: dict) -> dict:
    return next(e for e in board['tables'][DATASET] if e['method'] == board['entry'])


def _fmt(v) -> str:
    return '' if v is None else f'{v:.4g}'


def _named(spec: str, default_name: str) -> Tuple[str, str]:
    name, sep, value = spec.partition('=')
    return (name, value) if sep else (default_name, spec)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--fused', action='append', default=[], metavar='[NAME=]DIR')
    parser.add_argument(
        '--model', action='append', default=[], metavar='[NAME=]CONFIG:CHECKPOINT|ZOO_NAME'
    )
    parser.add_argument('--steps', type=int, help='sampling steps of --model (default: its own)')
    parser.add_argument('--exclude', action='append', default=[], metavar='METHOD')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--threads', type=int, help='metric threads (default: all cores)')
    args = parser.parse_args(argv)
    root = shared_data_root()
    if not (root / VIFB_DIR).is_dir():
        print(f'VIFB not found under {root}; set FUSIONBOX_SHARED_DATA', file=sys.stderr)
        return 1
    if not args.fused and not args.model:
        parser.error('give --fused DIR and/or --model CONFIG:CHECKPOINT')
    out = Path(args.out)
    published = load_published(root)
    entries = [_named(spec, Path(spec).name) for spec in args.fused]
    for spec in args.model:
        name, model = _named(spec, Path(spec.partition(':')[0]).stem)
        print(f'fusing VIFB with {model}')
        entries.append((name, str(fuse_pairs(model, out / 'fused' / name, root, args.steps))))
    boards = []
    for name, folder in entries:
        print(f'scoring {name} ({folder})')
        boards.append(
            place(published, score_folder(folder, name, root, args.threads), args.exclude)
        )
    out.mkdir(parents=True, exist_ok=True)
    command = 'python benchmarks/vifb_placement.py ' + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    text = to_markdown(boards, command)
    (out / 'placement.md').write_text(text)
    (out / 'placement.csv').write_text(to_csv(boards))
    (out / 'placement.json').write_text(json.dumps(boards, indent=2, default=str) + '\n')
    draw(boards, out / 'placement.png')
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
