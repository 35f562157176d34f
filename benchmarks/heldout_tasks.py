"""Per task, on the held-out stems of the real training sets: models against the mean of the
sources, each prior, and the selected and refined pseudo-labels, under the ``cddfuse`` protocol.

The held-out stems are those a real-data config keeps out of training (``subset='holdout'`` of
each of its real training sets: one stem in ``holdout_every`` by sorted stem). Every method's
image is written as an 8-bit PNG and read back as CDDFuse's evaluator reads it; the 12
no-reference metrics of ``cddfuse`` (EN, SD, SF, AG, MI, MSE, CC, PSNR, SCD, VIF, Qabf, SSIM)
score it against its sources. Per task: the means over its held-out samples, ranks, the average
rank, and for each model and label how many metrics it wins against the mean of the sources
(the ``Average`` prior), the best single prior (the prior with the best average rank) and the
labels. The selected and refined pseudo-labels come from the recipe's label cache
(``--labels-dir``, the folders ``tools/fusionfm_recipe.py`` writes; missing ones are made there).

Usage::

    python benchmarks/heldout_tasks.py --out OUT [--model [NAME=]CONFIG:CHECKPOINT|ZOO_NAME]
        [--fused NAME=DIR] [--config CONFIG] [--labels-dir DIR] [--tasks ivf,mif,mef,mff]
        [--limit N] [--workers N] [--steps N]

``--fused NAME=DIR``: results of another method as ``DIR/<dataset>/<stem>.<ext>`` (``<dataset>``
as in the tables, e.g. ``MSRS``). Writes ``OUT/heldout.md``, ``heldout.csv``, ``heldout.json``,
``comparison_<task>.png`` (samples x methods, each with a zoomed crop) and the images under
``OUT/fused/<dataset>/<method>/``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from fusionbox.evaluation import get_metric, list_metrics, order_sources, read_for_protocol
from fusionbox.evaluation.functional import evaluate_image
from fusionbox.evaluation.leaderboard import build_leaderboard, to_csv
from fusionbox.evaluation.leaderboard import to_markdown as leaderboard_markdown
from fusionbox.utils.image_io import list_images

PROTOCOL = 'cddfuse'
DEFAULT_CONFIG = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py'
MEAN = 'Average'  # the mean of the sources
LABELS = ('selected', 'refined')


def metrics() -> List[str]:
    return [m for m in list_metrics(PROTOCOL) if not get_metric(m).spec.needs_gt]


# --- the held-out samples -------------------------------------------------------------------
def heldout_sets(cfg, tasks: Sequence[str], limit: int | None = None) -> List[dict]:
    """For every real training set of ``cfg`` with held-out stems: ``name``, ``task``, ``data``
    (its identity), ``settings`` (label settings) and ``samples`` (its held-out data_list)."""
    from fusionbox.pseudo_labels import list_samples
    from fusionbox.recipes.fusionfm import _dataset_identity, label_datasets, label_settings

    out = []
    for ds in label_datasets(cfg):
        data = _dataset_identity(ds)
        held = dict(data, subset='holdout', holdout_every=ds.get('holdout_every', 5))
        try:
            samples = list_samples(dataset=held)
        except ValueError as exc:  # a set too small to hold any stem out
            print(f'skipping {data.get("layout") or data["data_root"]}: {exc}')
            continue
        task = samples[0]['task']
        if task not in tasks:
            continue
        name = data.get('layout') or Path(data['data_root']).name
        settings = label_settings(cfg, task)
        out.append(dict(name=name, task=task, data=data, settings=settings, samples=samples))
        out[-1]['samples'] = samples[:limit] if limit else samples
    return out


# --- the images of every method -------------------------------------------------------------
def label_images(heldout: dict, labels_dir, workers: int = 1) -> Dict[str, Dict[str, Path]]:
    """``{'selected': {stem: path}, 'refined': {stem: path}}`` from the recipe's cache folder of
    the set, made there (resumably) for the held-out samples that lack them."""
    from fusionbox.pseudo_labels import run_pipeline
    from fusionbox.pseudo_labels.pipeline import output_paths
    from fusionbox.recipes.fusionfm import check_labels, labels_folder

    folder = labels_folder(labels_dir, heldout['data'], heldout['settings'])
    run_pipeline(heldout['samples'], folder, heldout['settings'], workers=workers, resume=True)
    check_labels(heldout['samples'], folder, heldout['name'])
    paths = {s['stem']: output_paths(folder, s['stem']) for s in heldout['samples']}
    return {
        'selected': {s: p['selected'] for s, p in paths.items()},
        'refined': {s: p['label'] for s, p in paths.items()},
    }


def prior_images(heldout: dict, out_dir: Path) -> Dict[str, Dict[str, Path]]:
    """Run every prior of the set's label settings on its held-out samples; write
    ``out_dir/<prior>/<stem>.png`` (colour recomposed as the pipeline does)."""
    from fusionbox.pseudo_labels import PseudoLabelPipeline
    from fusionbox.pseudo_labels.ops import recompose, split_luma
    from fusionbox.utils.image_io import read_sources, write_image

    pipeline = PseudoLabelPipeline(**heldout['settings'])
    out: Dict[str, Dict[str, Path]] = {p.name: {} for p in pipeline.priors}
    for sample in heldout['samples']:
        sources = read_sources(sample['source_paths'])
        chroma = split_luma(sources)[1]
        for prior in pipeline.priors:
            path = out_dir / prior.name / f'{sample["stem"]}.png'
            write_image(path, recompose(prior(sources, sample), chroma), overwrite=True)
            out[prior.name][sample['stem']] = path
    return out


def model_images(model: str, heldout: dict, out_dir: Path, steps=None) -> Dict[str, Path]:
    """Fuse the held-out samples with ``model`` (``CONFIG:CHECKPOINT`` or a zoo name) through
    :class:`fusionbox.apis.FusionInferencer`; ``{stem: path}``."""
    from fusionbox.apis import FusionInferencer
    from fusionbox.utils.image_io import write_image

    config, sep, checkpoint = model.partition(':')
    inferencer = FusionInferencer(
        model=config, checkpoint=checkpoint if sep else None, device='cpu'
    )
    out = {}
    for sample in heldout['samples']:
        (image,) = inferencer([list(sample['source_paths'])], task=heldout['task'], steps=steps)
        out[sample['stem']] = out_dir / f'{sample["stem"]}.png'
        write_image(out[sample['stem']], np.asarray(image, dtype=np.float32), overwrite=True)
    return out


def folder_images(folder: Path, heldout: dict) -> Dict[str, Path]:
    files = list_images(Path(folder) / heldout['name'])
    missing = [s['stem'] for s in heldout['samples'] if s['stem'] not in files]
    if missing:
        raise FileNotFoundError(f'{folder / heldout["name"]} lacks {missing[:5]}')
    return {s['stem']: files[s['stem']] for s in heldout['samples']}


# --- scoring ---------------------------------------------------------------------------------
def score(heldout: dict, images: Dict[str, Dict[str, Path]], names, threads=None) -> List[dict]:
    """One row per (method, sample): ``dataset`` = the task, ``stem`` = ``<set>/<stem>``."""
    rows = []
    for sample in heldout['samples']:
        srcs = [read_for_protocol(p, PROTOCOL) for p in sample['source_paths']]
        srcs = order_sources(srcs, sample['source_names'], PROTOCOL)
        for method, paths in images.items():
            img = read_for_protocol(paths[sample['stem']], PROTOCOL)
            values, errors = evaluate_image(names, img, srcs, protocol=PROTOCOL, threads=threads)
            row = dict(dataset=heldout['task'], method=method)
            row['stem'] = f'{heldout["name"]}/{sample["stem"]}'
            row.update({m: values.get(m) for m in names})
            if errors:
                row['errors'] = errors
            rows.append(row)
    return rows


def wins(board: dict, task: str, method: str, against: str) -> List[str]:
    """The metrics on which ``method`` is better than ``against`` (task table means)."""
    table = {e['method']: e for e in board['tables'][task]}
    a, b = table[method]['values'], table[against]['values']
    out = []
    for m in board['metrics']:
        if a[m] is None or b[m] is None:
            continue
        better = a[m] > b[m] if board['higher_is_better'][m] else a[m] < b[m]
        if better:
            out.append(m)
    return out


def best_prior(board: dict, task: str, priors: Sequence[str]) -> str:
    """The prior with the best average rank in the task's table."""
    return next(e['method'] for e in board['tables'][task] if e['method'] in set(priors))


def build_boards(rows: Sequence[dict], names: Sequence[str]) -> Dict[str, dict]:
    """One leaderboard per task (``dataset`` of the rows), over that task's methods only."""
    tasks = list(dict.fromkeys(r['dataset'] for r in rows))
    return {
        t: build_leaderboard([r for r in rows if r['dataset'] == t], names, PROTOCOL, title=t)
        for t in tasks
    }


def to_markdown(
    boards: Dict[str, dict], contenders: Sequence[str], priors: Sequence[str], command=''
) -> str:
    lines = [
        '# Held-out real sets, per task',
        '',
        f'Protocol `{PROTOCOL}` (12 metrics); the held-out stems of the real training sets; '
        f'`{MEAN}` is the mean of the sources. Means over the samples, **bold** = best; '
        '"wins" = metrics better than the named method.',
        '',
    ]
    if command:
        lines += [f'Command: `{command}`', '']
    for task, board in boards.items():
        ms = board['metrics']
        entries = board['tables'][task]
        top = best_prior(board, task, priors)
        # the leaderboard's table of the task (without its title), then the wins
        table = leaderboard_markdown(board).split(f'## {task}\n', 1)[1].rstrip()
        lines += [f'## {task} ({entries[0]["n_images"]} held-out samples)', table]
        lines += [
            '',
            f'| method | wins vs {MEAN} (mean) | wins vs best prior ({top}) | wins vs selected '
            '| wins vs refined |',
            '|---|---|---|---|---|',
        ]
        for method in contenders:
            cells = [
                '-' if against == method else f'{len(wins(board, task, method, against))}/{len(ms)}'
                for against in (MEAN, top, *LABELS)
            ]
            lines.append(f'| {method} | ' + ' | '.join(cells) + ' |')
        lines.append('')
    return '\n'.join(lines)


# --- the comparison figure -------------------------------------------------------------------
def draw_comparison(heldouts, images, columns: Sequence[str], path, per_task: int = 2) -> None:
    """Rows: up to ``per_task`` samples (full image, then its zoomed window); columns: the
    sources, then ``columns`` (methods); drawn by :func:`fusionbox.visualization.draw_grid`."""
    from fusionbox.utils.image_io import read_image
    from fusionbox.visualization.comparison import GridRow, draw_grid

    picks = [(h, s) for h in heldouts for s in h['samples']][:per_task]
    rows = []
    for held, sample in picks:
        paths = sample['source_paths']
        cells = [(n, read_image(p)) for n, p in zip(sample['source_names'], paths)]
        cells += [(m, read_image(images[held['name']][m][sample['stem']])) for m in columns]
        rows.append(GridRow(f'{held["name"]}/{sample["stem"]}', cells, zoom_on=len(paths)))
    draw_grid(rows, path, dpi=80, overwrite=True)  # the run re-renders its --out folder


def _fmt(v) -> str:
    return '' if v is None else f'{v:.4g}'


def main(argv=None) -> int:
    from mmengine.config import Config

    from fusionbox.utils.paths import shared_data_root

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--out', required=True)
    parser.add_argument('--model', action='append', default=[], metavar='[NAME=]CONFIG:CKPT')
    parser.add_argument('--fused', action='append', default=[], metavar='NAME=DIR')
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='the real-data config')
    parser.add_argument('--labels-dir', default='work_dirs/pseudo_labels')
    parser.add_argument('--tasks', default='ivf,mif,mef,mff')
    parser.add_argument('--limit', type=int, help='first N held-out samples of every set')
    parser.add_argument('--workers', type=int, default=1, help='pseudo-label workers')
    parser.add_argument('--steps', type=int, help='sampling steps of --model')
    parser.add_argument('--threads', type=int, help='metric threads')
    args = parser.parse_args(argv)
    if not shared_data_root().is_dir():
        print(f'shared real data not found at {shared_data_root()}', file=sys.stderr)
        return 1
    tasks = [t.strip() for t in args.tasks.split(',') if t.strip()]
    out = Path(args.out)
    heldouts = heldout_sets(Config.fromfile(args.config), tasks, args.limit)
    names = metrics()
    rows: List[dict] = []
    images: Dict[str, Dict[str, Dict[str, Path]]] = {}
    contenders: List[str] = []
    priors: List[str] = []
    for held in heldouts:
        print(f'{held["task"]} {held["name"]}: {len(held["samples"])} held-out samples')
        found = prior_images(held, out / 'fused' / held['name'])
        priors += [p for p in found if p not in priors]
        found.update(label_images(held, args.labels_dir, args.workers))
        for spec in args.model:
            name, sep, model = spec.partition('=')
            name, model = (name, model) if sep else (Path(spec.partition(':')[0]).stem, spec)
            found[name] = model_images(model, held, out / 'fused' / held['name'] / name, args.steps)
            contenders += [name] if name not in contenders else []
        for spec in args.fused:
            name, _, folder = spec.partition('=')
            found[name] = folder_images(Path(folder), held)
            contenders += [name] if name not in contenders else []
        images[held['name']] = found
        rows += score(held, found, names, args.threads)
    if not rows:
        print('no held-out sample found', file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    boards = build_boards(rows, names)
    command = 'python benchmarks/heldout_tasks.py ' + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    text = to_markdown(boards, contenders + list(LABELS), priors, command)
    from fusionbox.utils.io import atomic_write_text

    # overwrite=True: the run re-renders its --out folder (its fused images too)
    atomic_write_text(out / 'heldout.md', text, overwrite=True)
    csv_text = ''.join(to_csv(b) for b in boards.values())
    atomic_write_text(out / 'heldout.csv', csv_text, overwrite=True)
    boards_text = json.dumps(boards, indent=2, default=str) + '\n'
    atomic_write_text(out / 'heldout.json', boards_text, overwrite=True)
    for task in tasks:
        sets = [h for h in heldouts if h['task'] == task]
        if sets:
            top = best_prior(boards[task], task, priors)
            columns = [MEAN] + ([top] if top != MEAN else []) + list(LABELS) + contenders
            draw_comparison(sets, images, columns, out / f'comparison_{task}.png')
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
