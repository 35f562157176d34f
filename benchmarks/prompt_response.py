"""Does a model trained with restoration prompts respond to them? Right vs wrong vs empty prompt.

Trains the tiny prompt-conditioned fuser of
``configs/mmaif/mmaif_unet-t_reg_ivf-mif-mef-mff_prompt.py`` through MMEngine's Runner on the
embedded benchmark wrapped by ``DegradedFusionDataset`` (one degradation per sample, on one
source, among noise / blur / low light / haze / low contrast, and the prompt that describes it),
towards the fusion of the CLEAN sources: the ground truth for MEF and MFF, and for IVF and MIF a
pseudo-label that a training-free prior (``--prior``, GFF by default) computes from the clean
sources (written under ``<out>/pseudo_labels``). Then it evaluates the same weights on the
degraded test split (fixed seeds, ``--draws`` degradation draws per test image) three ways:

* ``right``: the prompt composed for the degradation actually applied;
* ``wrong``: the prompt of a different operation of the task's set (not one exclusive with the
  applied one; same source when that operation can hit it), composed by the same
  ``DegradationPromptComposer`` (:mod:`fusionbox.degradations.wrong_prompt`);
* ``empty``: the empty prompt ``''``;

and reports PSNR_ref and SSIM_ref of the fused luma to the clean target, per task, per
operation and overall, and the fraction of samples where right beats wrong and right beats
empty. Writes ``results.md``, ``results.json`` (every sample's prompts and scores) and
``examples.png`` (degraded sources, the three outputs captioned with their prompts and the
target for two samples) into
``--out``, which must not exist yet::

    python benchmarks/prompt_response.py [--iters 1500] [--seed 0] [--draws 4]
        [--out work_dirs/benchmarks/prompt_response] [--threads 2] [--quick]

``--quick`` is a smoke run (a few iterations on tiny crops, 2 test images per task, 1 draw):
it checks the plumbing, its numbers mean nothing. Not a test: the full run trains for several
minutes on a CPU.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CONFIG = REPO / 'configs/mmaif/mmaif_unet-t_reg_ivf-mif-mef-mff_prompt.py'
CONDITIONS = ('right', 'wrong', 'empty')
METRICS = ('PSNR_ref', 'SSIM_ref')
#: A "win" must beat the other condition by more than this (ties from an unused prompt branch
#: differ by float noise only).
WIN_MARGIN = dict(PSNR_ref=1e-3, SSIM_ref=1e-5)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--config', default=str(CONFIG), help='the prompt-conditioned config')
    p.add_argument('--iters', type=int, default=None, help='training iterations (config: 1500)')
    p.add_argument('--seed', type=int, default=0, help='training seed and first test draw seed')
    p.add_argument(
        '--draws',
        type=int,
        default=None,
        help='degradation draws per test image (default 4; --quick 1)',
    )
    p.add_argument('--prior', default='GFF', help='prior of the IVF / MIF clean targets')
    p.add_argument(
        '--out',
        default='work_dirs/benchmarks/prompt_response',
        help='output folder (must not exist)',
    )
    p.add_argument('--threads', type=int, default=2, help='torch threads')
    p.add_argument('--quick', action='store_true', help='tiny smoke run (meaningless numbers)')
    return p.parse_args(argv)


# --- targets of the tasks without ground truth ------------------------------------------------
def no_gt_tasks(dataset: dict) -> list:
    """The tasks of a ``MultiTaskFusionDataset`` config without ground truth (IVF, MIF)."""
    from fusionbox.tasks import get_task, task_names

    tasks = dataset.get('tasks')
    return [t for t in (task_names() if tasks is None else tasks) if not get_task(t).has_gt]


def write_pseudo_labels(out: Path, prior_name: str, dataset: dict, splits) -> dict:
    """Fuse the CLEAN sources of the tasks without ground truth (:func:`no_gt_tasks` of the
    ``MultiTaskFusionDataset`` config ``dataset``) with a prior; ``{(task, split): folder}``."""
    from mmcv.transforms import Compose

    from fusionbox.registry import DATASETS, PRIORS
    from fusionbox.utils.image_io import to_uint8, write_image

    prior = PRIORS.build(dict(type=prior_name))
    folders = {}
    for task in no_gt_tasks(dataset):
        for split in splits:
            ds = DATASETS.build(dict(dataset, tasks=[task], split=split, pipeline=[], degrade=None))
            load = Compose([dict(type='LoadMultiSourceImages')])
            folder = out / 'pseudo_labels' / task / split
            for i in range(len(ds)):
                info = ds.get_data_info(i)
                fused = prior(load(copy.deepcopy(info))['sources'], info)  # (H, W) in [0, 1]
                write_image(folder / f'{info["stem"]}.png', to_uint8(fused))
            folders[(task, split)] = str(folder.resolve())
    return folders


# --- training -----------------------------------------------------------------------------------
def train(cfg, out: Path, args, folders: dict, quick: bool):
    from fusionbox.apis.runner_setup import build_runner

    iters = args.iters if args.iters is not None else (3 if quick else cfg.train_cfg.max_iters)
    cfg.work_dir = str(out / 'train')
    dataset = cfg.train_dataloader.dataset  # a MultiTaskFusionDataset, degraded
    for task in no_gt_tasks(dataset):  # a task's own arguments of the embedded members
        dataset.embedded[task] = dict(pseudo_label_dir=folders[(task, 'train')])
    if quick:
        cfg.train_dataloader.batch_size = 2
        for step in dataset.pipeline:
            if step['type'] == 'PairedRandomCrop':
                step['size'] = 32
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    warm = max(1, min(50, iters // 10))
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=warm),
        dict(
            type='CosineAnnealingLR',
            by_epoch=False,
            begin=warm,
            end=max(iters, warm + 1),
            eta_min=1e-5,
        ),
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=iters, max_keep_ckpts=1, save_last=True
    )
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=max(1, min(50, iters)))
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    runner = build_runner(cfg, 'train')
    start = time.time()
    runner.train()
    seconds = time.time() - start
    losses = np.asarray(runner.message_hub.get_scalar('train/loss').data[0], dtype=float)
    k = max(1, min(20, len(losses) // 5))
    log = dict(
        iters=iters,
        seconds=round(seconds, 1),
        batch_size=cfg.train_dataloader.batch_size,
        loss_first=float(losses[:k].mean()),
        loss_last=float(losses[-k:].mean()),
    )
    return runner.model, log


# --- evaluation ---------------------------------------------------------------------------------
def evaluate(model, test_dataloader, args, folders: dict, quick: bool) -> list:
    import torch

    from fusionbox.datasets.multi_task_dataset import as_concat
    from fusionbox.degradations.wrong_prompt import wrong_operation
    from fusionbox.evaluation.functional import PSNR_ref, SSIM_ref
    from fusionbox.registry import DATASETS, DEGRADATIONS
    from fusionbox.structures import TASKS

    draws = args.draws if args.draws is not None else (1 if quick else 4)
    no_gt = no_gt_tasks(test_dataloader['dataset'])
    datasets = as_concat(test_dataloader['dataset'])['datasets']
    degrade_cfg = copy.deepcopy(test_dataloader['dataset']['degrade'])
    composer = DEGRADATIONS.build(
        dict(
            type='RandomDegradationComposer',
            task_ops=degrade_cfg['task_ops'],
            degradations=degrade_cfg['degradations'],
            num_ops=1,
        )
    )
    model.eval()
    rows = []
    for draw in range(draws):
        test_seed = args.seed + draw
        for member in datasets:
            member = copy.deepcopy(member)
            task = member['task']
            if task in no_gt:
                member['pseudo_label_dir'] = folders[(task, 'test')]
            degrade = dict(degrade_cfg, seed=test_seed, prob=1.0)
            ds_cfg = dict(type='DegradedFusionDataset', dataset=member, degrade=degrade)
            if quick:
                ds_cfg['indices'] = 2
            ds = DATASETS.build(ds_cfg)
            for i in range(len(ds)):
                item = ds[i]
                sample = item['data_samples']
                records = sample.metainfo['degradations']
                names = list(sample.metainfo['source_names'])
                right = sample.metainfo['prompt']
                rng = np.random.default_rng([test_seed, TASKS.index(task), i, 7])
                wrong_records = wrong_operation(composer, task, names, records, rng)
                wrong = composer.prompt(wrong_records, names, rng)
                prompts = dict(right=right, wrong=wrong, empty='')
                batch_samples = []
                for cond in CONDITIONS:
                    s = copy.deepcopy(sample)
                    s.set_metainfo(dict(prompt=prompts[cond]))
                    batch_samples.append(s)
                data = dict(inputs=[item['inputs']] * len(CONDITIONS), data_samples=batch_samples)
                with torch.no_grad():
                    outs = model.test_step(data)
                key = sample.metainfo['target']
                target = getattr(sample, key)[0].numpy() * 255.0  # (H, W)
                row = dict(
                    draw=draw,
                    test_seed=test_seed,
                    task=task,
                    index=i,
                    stem=sample.metainfo['stem'],
                    source_names=names,
                    target=key,
                    degradation=records[0]['type'],
                    degraded_source=records[0]['sources'],
                    params=records[0]['params'],
                    wrong_degradation=wrong_records[0]['type'],
                    wrong_source=wrong_records[0]['sources'],
                    prompts=prompts,
                    scores={},
                )
                preds = {}
                for cond, out_sample in zip(CONDITIONS, outs):
                    pred = out_sample.pred[0].float().cpu().numpy() * 255.0
                    preds[cond] = pred
                    row['scores'][cond] = dict(
                        PSNR_ref=PSNR_ref(pred, gt=target), SSIM_ref=SSIM_ref(pred, gt=target)
                    )
                row['_images'] = dict(
                    sources=item['inputs'][:, 0].numpy() * 255.0, target=target, **preds
                )
                rows.append(row)
    return rows


# --- summary ------------------------------------------------------------------------------------
def summarise(rows: list, key: str) -> dict:
    """Mean of each metric per condition and the win fractions, grouped by ``row[key]``."""
    groups = {}
    for row in rows:
        groups.setdefault(row[key] if key else 'all', []).append(row)
    out = {}
    for name, members in groups.items():
        entry = dict(n=len(members))
        for metric in METRICS:
            vals = {c: np.array([r['scores'][c][metric] for r in members]) for c in CONDITIONS}
            for c in CONDITIONS:
                entry[f'{metric}_{c}'] = float(vals[c].mean())
            eps = WIN_MARGIN[metric]
            for other in ('wrong', 'empty'):
                entry[f'{metric}_gain_vs_{other}'] = float((vals['right'] - vals[other]).mean())
                entry[f'{metric}_win_vs_{other}'] = float(
                    (vals['right'] > vals[other] + eps).mean()
                )
        out[name] = entry
    return out


def markdown(title: str, table: dict) -> str:
    head = (
        '| group | n | PSNR_ref right | wrong | empty | SSIM_ref right | wrong | empty '
        '| right > wrong (PSNR / SSIM) | right > empty (PSNR / SSIM) |'
    )
    lines = [f'### {title}', '', head, '|' + '---|' * 11]
    for name, e in table.items():
        lines.append(
            f"| {name} | {e['n']} | {e['PSNR_ref_right']:.2f} | {e['PSNR_ref_wrong']:.2f} | "
            f"{e['PSNR_ref_empty']:.2f} | {e['SSIM_ref_right']:.4f} | {e['SSIM_ref_wrong']:.4f} | "
            f"{e['SSIM_ref_empty']:.4f} | {e['PSNR_ref_win_vs_wrong']:.0%} / "
            f"{e['SSIM_ref_win_vs_wrong']:.0%} | {e['PSNR_ref_win_vs_empty']:.0%} / "
            f"{e['SSIM_ref_win_vs_empty']:.0%} |"
        )
    return '\n'.join(lines) + '\n'


def prompt_panel(lines: Sequence[str], like: np.ndarray, width: int = 480) -> np.ndarray:
    """A figure cell shaped like the image ``like`` that shows ``lines`` (the prompts a sample's
    outputs were given) as wrapped text; (H, W, 3) uint8, ``width`` pixels wide."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    aspect, inches = like.shape[0] / like.shape[1], 2.2  # a grid cell's width (draw_grid)
    fig = Figure(figsize=(inches, inches * aspect), dpi=width / inches, facecolor='white')
    canvas = FigureCanvasAgg(fig)
    text = '\n'.join(textwrap.fill(line, 34) for line in lines)
    lines_fit = inches * aspect * 72 / (1.3 * (text.count('\n') + 1))  # points per line
    fig.text(0.03, 0.97, text, va='top', ha='left', fontsize=min(8.0, lines_fit))
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def figure(rows: list, path: Path) -> list:
    """Two samples (the first of two tasks): degraded sources, the three prompts (a text cell),
    the right / wrong / empty outputs with their PSNR_ref, the target."""
    from fusionbox.visualization.comparison import GridRow, draw_grid

    picks, seen = [], set()
    for row in rows:
        if row['task'] not in seen:
            picks.append(row)
            seen.add(row['task'])
        if len(picks) == 2:
            break
    grid = []
    for row in picks:
        im = row['_images']
        cells = [
            (f"{name} ({row['degradation']})" if name in row['degraded_source'] else name, source)
            for name, source in zip(row['source_names'], im['sources'] / 255.0)
        ]
        given = [f'{c}: ' + (f'"{row["prompts"][c]}"' if row['prompts'][c] else '(empty prompt)')
                 for c in CONDITIONS]  # fmt: skip
        cells.append(('prompts', prompt_panel(given, im['target'])))
        cells += [(f"{c} {row['scores'][c]['PSNR_ref']:.1f} dB", im[c] / 255.0) for c in CONDITIONS]
        cells.append((f"target ({row['target']})", im['target'] / 255.0))
        grid.append(GridRow(f"{row['task']} {row['stem']}", cells))
    draw_grid(grid, path, zoom=False, overwrite=False, dpi=90)
    return [f"{p['task']}/{p['stem']} draw {p['draw']}" for p in picks]


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    if out.exists():
        print(f'refusing to overwrite {out}: choose another --out', file=sys.stderr)
        return 1
    out.mkdir(parents=True)
    import torch
    from mmengine.config import Config

    from fusionbox.utils import register_all_modules
    from fusionbox.utils.io import atomic_write_json, atomic_write_text

    register_all_modules()

    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    test_dataloader = copy.deepcopy(cfg.test_dataloader.to_dict())
    splits = ('train', 'test')
    t0 = time.time()
    folders = write_pseudo_labels(out, args.prior, test_dataloader['dataset'], splits)
    model, train_log = train(cfg, out, args, folders, args.quick)
    rows = evaluate(model, test_dataloader, args, folders, args.quick)
    shown = figure(rows, out / 'examples.png')
    tables = dict(
        overall=summarise(rows, ''),
        task=summarise(rows, 'task'),
        degradation=summarise(rows, 'degradation'),
    )
    meta = dict(
        config=str(Path(args.config).resolve().relative_to(REPO))
        if Path(args.config).resolve().is_relative_to(REPO)
        else args.config,
        seed=args.seed,
        draws=len({r['draw'] for r in rows}),
        prior=args.prior,
        quick=args.quick,
        train=train_log,
        samples=len(rows),
        seconds_total=round(time.time() - t0, 1),
        figure_samples=shown,
        torch_threads=args.threads,
    )
    md = [
        f'# Prompt response ({"QUICK smoke run, meaningless numbers" if args.quick else "full"})',
        '',
        '```',
        json.dumps(meta, indent=1),
        '```',
        '',
        'PSNR_ref (dB) / SSIM_ref of the fused luma to the clean target (gt for MEF / MFF, '
        f'{args.prior} of the clean sources for IVF / MIF); one degradation per sample.',
        '',
    ]
    md.append(markdown('Overall', tables['overall']))
    md.append(markdown('Per task', tables['task']))
    md.append(markdown('Per degradation', tables['degradation']))
    text = '\n'.join(md)
    for row in rows:
        row.pop('_images')
    atomic_write_text(out / 'results.md', text, overwrite=False)
    atomic_write_json(
        out / 'results.json', dict(meta=meta, tables=tables, samples=rows), overwrite=False
    )
    print(text)
    print(f'written to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
