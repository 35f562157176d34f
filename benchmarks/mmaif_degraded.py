"""MMAIF on degraded held-out real pairs: against the restore-then-fuse cascade, the FusionFM
default and the best prior; prompt response; cost per 480 x 640 pair against the pixel-space DiT.

Samples: the held-out stems of every real set of the MMAIF config (one stem in 5, never trained
on) and the 21 VIFB pairs (IVF; never trained on), degraded by
:class:`~fusionbox.degradations.DegradedRealFusionDataset` under fixed seeds, one condition at a
time: each operation of the task's set alone, and a few 2-3 operation combinations
(each task spec's ``degradation_combos``); ``--pairs`` / ``--combo-pairs`` pairs of the task's
pool per condition (a seeded choice). The sources are the lumas (the training pipeline degrades
the luma).

Methods, all fed the same degraded lumas: the MMAIF models given (``--mmaif NAME=MODEL``, a zoo
name or ``CONFIG:CHECKPOINT``; the right prompt = the one composed for the drawn record), the
FusionFM default (``--fusionfm``, no prompt), the cascade (:class:`RestoreThenFuse`: restorers
chosen by the record, then the best prior of the task) and the best prior on the degraded
sources; as a reference, the best prior on the CLEAN sources.

Scores: PSNR_ref / SSIM_ref (``standard`` protocol, luma) to the pseudo-label of the clean
sources (the recipe's label cache for the held-out stems, ``--vifb-labels`` for VIFB), and the
12 no-reference ``cddfuse`` metrics against the clean sources (``--no-cddfuse`` skips them).
Prompt response: each MMAIF model with the right, a wrong (another operation of the task's set,
on the same source when it can) and the empty prompt. Cost (``--cost``): time (min / median of
``--repeats``) and peak memory (a fresh process each) per 480 x 640 pair of each MMAIF model,
of the same DiT on the pixels (timed at ``--pixel-size``; FLOPs of both at 480 x 640), of the
cascade per degradation and of the FusionFM default.

Usage::

    python benchmarks/mmaif_degraded.py --out OUT \
        --mmaif reg=CONFIG:CKPT --mmaif flow=CONFIG:CKPT [--fusionfm fusionfm-lite] \
        [--labels-dir work_dirs/pseudo_labels] [--vifb-labels work_dirs/vifb_teacher/labels] \
        [--pairs 2] [--combo-pairs 3] [--seed 0] [--tasks ivf,mif,mef,mff] [--cost] [--quick]

Writes into OUT (refused if it exists): ``results.md``, ``results.json`` (every sample: record,
prompts, scores), ``examples.png`` (degraded sources, each method with its prompt, the target),
``fused/<method>/<sample>.png`` with ``fused/<method>/prompts.json`` (the prompt of each image).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import sys
import time
from functools import partial
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fusionbox.degradations.wrong_prompt import wrong_prompt  # noqa: E402  (the one rule)

DEFAULT_CONFIG = 'configs/mmaif/mmaif_moe-dit-t-haar2_reg_real-degraded.py'
CASCADE, PRIOR, PRIOR_CLEAN = 'cascade', 'best prior', 'best prior (clean sources)'
TEST_PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


def _load_sibling(name: str):
    """Import ``benchmarks/<name>.py`` (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', required=True, help='output folder (must not exist)')
    p.add_argument(
        '--mmaif',
        action='append',
        default=[],
        metavar='NAME=MODEL',
        help='an MMAIF model: NAME=ZOO_NAME or NAME=CONFIG:CHECKPOINT (repeat)',
    )
    p.add_argument('--fusionfm', default='fusionfm-lite', help='the FusionFM model (zoo name)')
    p.add_argument('--config', default=DEFAULT_CONFIG, help='config naming the held-out sets')
    p.add_argument('--labels-dir', default='work_dirs/pseudo_labels')
    p.add_argument(
        '--vifb-labels',
        default='work_dirs/vifb_teacher/labels',
        help="pseudo-labels of VIFB's clean sources ('' leaves VIFB out)",
    )
    p.add_argument('--tasks', default='ivf,mif,mef,mff')
    p.add_argument('--pairs', type=int, default=2, help='pairs per single operation')
    p.add_argument('--combo-pairs', type=int, default=3, help='pairs per combination')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--no-cddfuse', action='store_true', help='skip the no-reference metrics')
    p.add_argument('--cost', action='store_true', help='also measure the cost per 480x640 pair')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--pixel-size', default='120x160', help='size the pixel-space DiT is timed at')
    p.add_argument('--quick', action='store_true', help='one pair, one op per task (tests)')
    p.add_argument('--limit', type=int, help='at most this many conditions per task')  # tests
    return p.parse_args(argv)  # fmt: skip


# --- the samples ---------------------------------------------------------------------------
def sample_pool(args) -> Dict[str, List[dict]]:
    """Per task, the held-out real sets (``name``, ``dataset`` config) and VIFB."""
    from mmengine.config import Config

    from fusionbox.pseudo_labels import list_samples, run_pipeline
    from fusionbox.recipes.fusionfm import (
        _dataset_identity,
        check_labels,
        label_datasets,
        label_settings,
        labels_folder,
    )
    from fusionbox.utils.paths import shared_data_root

    cfg = Config.fromfile(str(REPO / args.config))
    tasks = args.tasks.split(',')
    pool: Dict[str, List[dict]] = {}
    for ds in label_datasets(cfg):
        data = _dataset_identity(ds)
        held = dict(data, subset='holdout', holdout_every=ds.get('holdout_every', 5))
        try:
            samples = list_samples(dataset=held)
        except ValueError:  # a set too small to hold a stem out
            continue
        task = samples[0]['task']
        if task not in tasks:
            continue
        settings = label_settings(cfg, task)
        folder = labels_folder(args.labels_dir, data, settings)
        # the recipe's cache; labels missing there are made (resumable), as heldout_tasks.py does
        run_pipeline(samples, folder, settings, workers=1, resume=True, progress=False)
        check_labels(samples, folder, data['layout'])  # FileNotFoundError naming the label
        dataset = dict(
            held, type='MultiSourceFusionDataset', pseudo_label_dir=str(folder / 'labels')
        )
        for s in samples:
            pool.setdefault(task, []).append(
                dict(set=data['layout'], stem=s['stem'], dataset=dataset)
            )
    if args.vifb_labels and 'ivf' in tasks:
        root = shared_data_root() / 'ivf' / 'VIFB'
        dataset = dict(type='MultiSourceFusionDataset', layout='VIFB', data_root=str(root),
                       pseudo_label_dir=str(Path(args.vifb_labels).resolve()))  # fmt: skip
        for s in list_samples(dataset=dict(layout='VIFB', data_root=str(root))):
            pool.setdefault('ivf', []).append(dict(set='VIFB', stem=s['stem'], dataset=dataset))
    return pool


def conditions(task: str, args) -> List[tuple]:
    """The single operations of the task's set, then its combinations."""
    from fusionbox.degradations import DEFAULT_TASK_OPS

    singles = [(op,) for op in DEFAULT_TASK_OPS[task]]
    from fusionbox.tasks import get_task

    combos = [tuple(c) for c in get_task(task).degradation_combos]
    if args.quick:
        return singles[:1]
    out = singles + combos
    return out[: args.limit] if args.limit else out


class DegradedSamples:
    """Build (and cache) one DegradedRealFusionDataset per (set, condition); fetch a stem."""

    def __init__(self, seed: int) -> None:
        self.seed, self._cache, self._index = seed, {}, {}

    def get(self, entry: dict, task: str, ops: tuple) -> dict:
        from fusionbox.registry import DATASETS

        key = (entry['set'], ops)
        if key not in self._cache:
            self._cache[key] = ds = DATASETS.build(
                dict(
                    type='DegradedRealFusionDataset',
                    dataset=dict(entry['dataset'], pipeline=TEST_PIPELINE),
                    degrade=dict(type='RandomDegradeSources', seed=self.seed,
                                 task_ops={task: list(ops)}, num_ops=len(ops)),
                    test_mode=True,
                )
            )  # fmt: skip
            self._index[key] = {ds.get_data_info(i)['stem']: i for i in range(len(ds))}
        packed = self._cache[key][self._index[key][entry['stem']]]
        sample = packed['data_samples']
        return dict(
            degraded=packed['inputs'][:, 0].numpy(),  # (N, H, W) lumas
            clean=sample.clean_sources[:, 0].numpy(),
            label=sample.pseudo_label[0].numpy(),
            names=list(sample.source_names),
            records=list(sample.degradations),
            prompt=sample.prompt,
        )


# --- the methods ---------------------------------------------------------------------------
def build_methods(args) -> tuple:
    """``(mmaif, others)``: name -> FusionInferencer of the MMAIF models, and name -> function
    ``f(sample, task) -> (H, W)`` of the other methods."""
    from fusionbox.apis import FusionInferencer
    from fusionbox.degradations import RestoreThenFuse
    from fusionbox.degradations.restoration import best_priors
    from fusionbox.registry import PRIORS

    def inferencer(spec: str):
        config, sep, checkpoint = spec.partition(':')
        return FusionInferencer(config, checkpoint if sep else None)

    mmaif = {}
    for spec in args.mmaif:
        name, sep, model = spec.partition('=')
        if not sep or not name or not model:
            raise ValueError(f'--mmaif {spec!r}: give NAME=ZOO_NAME or NAME=CONFIG:CHECKPOINT')
        mmaif[f'MMAIF {name}'] = inferencer(model)
    cascade = RestoreThenFuse()
    priors = {t: PRIORS.build(dict(type=p)) for t, p in best_priors().items()}
    others = {}
    if args.fusionfm:
        fm = inferencer(args.fusionfm)
        others[f'FusionFM ({args.fusionfm}, no prompt)'] = lambda s, t: fm(list(s['degraded']), t)[
            0
        ]
    others[CASCADE] = lambda s, t: cascade(list(s['degraded']), s['names'], s['records'], t)
    others[PRIOR] = lambda s, t: priors[t]([x[..., None] for x in s['degraded']])
    others[PRIOR_CLEAN] = lambda s, t: priors[t]([x[..., None] for x in s['clean']])
    return mmaif, others


# --- scoring -------------------------------------------------------------------------------
def nr_metrics() -> List[str]:
    from fusionbox.evaluation import get_metric, list_metrics

    return [m for m in list_metrics('cddfuse') if not get_metric(m).spec.needs_gt]


def score(fused: np.ndarray, sample: dict, cddfuse: bool) -> dict:
    """PSNR_ref / SSIM_ref to the label (standard protocol), and the cddfuse metrics against
    the clean sources."""
    from fusionbox.evaluation import order_sources
    from fusionbox.evaluation.functional import evaluate_image
    from fusionbox.evaluation.io import from_unit_tensor

    fused = np.clip(np.asarray(fused, dtype=np.float32), 0, 1)
    values, _ = evaluate_image(
        ['PSNR_ref', 'SSIM_ref'], from_unit_tensor(fused, 'standard'),
        gt=from_unit_tensor(sample['label'], 'standard'), protocol='standard', threads=1,
    )  # fmt: skip
    if cddfuse:
        srcs = [from_unit_tensor(c, 'cddfuse') for c in sample['clean']]
        srcs = order_sources(srcs, sample['names'], 'cddfuse')
        nr, _ = evaluate_image(
            nr_metrics(), from_unit_tensor(fused, 'cddfuse'), srcs, protocol='cddfuse', threads=1
        )
        values.update(nr)
    return {k: float(v) for k, v in values.items()}


# --- tables --------------------------------------------------------------------------------
def _mean(rows, method, key, metric='PSNR_ref'):
    vals = [r['scores'][method][metric] for r in rows if key(r)]
    return float(np.mean(vals)) if vals else float('nan')


def condition_table(rows: list, methods: Sequence[str]) -> str:
    """PSNR_ref / SSIM_ref per condition (and per task, overall), the best degraded-input
    method in bold; 'MMAIF > cascade' counts the conditions."""
    head = '| condition | task | n | ' + ' | '.join(methods) + ' |'
    lines = [head, '|' + '---|' * (len(methods) + 3)]
    groups = list(dict.fromkeys((r['condition'], r['task']) for r in rows))
    for cond, task in groups:
        sel = [r for r in rows if r['condition'] == cond and r['task'] == task]
        cells = []
        means = {m: (_mean(sel, m, bool), _mean(sel, m, bool, 'SSIM_ref')) for m in methods}
        best = max((m for m in methods if m != PRIOR_CLEAN), key=lambda m: means[m][0])
        for m in methods:
            text = f'{means[m][0]:.2f} / {means[m][1]:.3f}'
            cells.append(f'**{text}**' if m == best else text)
        lines.append(f'| {cond} | {task} | {len(sel)} | ' + ' | '.join(cells) + ' |')
    for name, key in [
        (t, lambda r, t=t: r['task'] == t) for t in dict.fromkeys(r['task'] for r in rows)
    ] + [('all', bool)]:  # noqa: E501
        sel = [r for r in rows if key(r)]
        cells = [
            f'{_mean(sel, m, bool):.2f} / {_mean(sel, m, bool, "SSIM_ref"):.3f}' for m in methods
        ]
        lines.append(f'| **mean** | {name} | {len(sel)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def wins_table(rows: list, mmaif: Sequence[str]) -> str:
    """Per MMAIF model: conditions (singles / combinations) where its mean PSNR_ref beats the
    cascade's and the best prior's on the degraded inputs."""
    lines = ['| model | singles: beats cascade | combinations: beats cascade | singles: beats best '
             'prior | combinations: beats best prior | samples beating the cascade |',
             '|---|---|---|---|---|---|']  # fmt: skip
    groups = list(dict.fromkeys((r['condition'], r['task']) for r in rows))
    for m in mmaif:
        out = []
        for other in (CASCADE, PRIOR):
            for combo in (False, True):
                sel = [g for g in groups if ('+' in g[0]) == combo]
                won = sum(
                    _mean(rs, m, bool) > _mean(rs, other, bool)
                    for rs in ([r for r in rows if (r['condition'], r['task']) == g] for g in sel)
                )
                out.append(f'{won} / {len(sel)}')
        per_sample = sum(
            r['scores'][m]['PSNR_ref'] > r['scores'][CASCADE]['PSNR_ref'] for r in rows
        )
        lines.append(
            f'| {m} | {out[0]} | {out[1]} | {out[2]} | {out[3]} | {per_sample} / {len(rows)} |'
        )
    return '\n'.join(lines)


def prompt_table(rows: list, mmaif: Sequence[str]) -> str:
    lines = [
        '| model | group | n | PSNR right | wrong | empty | SSIM right | wrong | empty | '
        'right > wrong | right > empty |',
        '|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    groups = [('all', bool)] + [
        (t, lambda r, t=t: r['task'] == t) for t in dict.fromkeys(r['task'] for r in rows)
    ]
    for m in mmaif:
        for name, key in groups:
            sel = [r for r in rows if key(r)]
            p = {
                c: [r['prompts_scores'][m][c]['PSNR_ref'] for r in sel]
                for c in ('right', 'wrong', 'empty')
            }
            q = {
                c: [r['prompts_scores'][m][c]['SSIM_ref'] for r in sel]
                for c in ('right', 'wrong', 'empty')
            }
            win_w = np.mean([a > b for a, b in zip(p['right'], p['wrong'])])
            win_e = np.mean([a > b for a, b in zip(p['right'], p['empty'])])
            cells = [f'{np.mean(p[c]):.2f}' for c in ('right', 'wrong', 'empty')]
            cells += [f'{np.mean(q[c]):.3f}' for c in ('right', 'wrong', 'empty')]
            cells += [f'{win_w:.0%}', f'{win_e:.0%}']
            lines.append(f'| {m} | {name} | {len(sel)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def nr_table(rows: list, methods: Sequence[str]) -> str:
    names = nr_metrics()
    lines = ['| task | method | ' + ' | '.join(names) + ' |', '|' + '---|' * (len(names) + 2)]
    for task in dict.fromkeys(r['task'] for r in rows):
        sel = [r for r in rows if r['task'] == task]
        for m in methods:
            vals = [np.mean([r['scores'][m][k] for r in sel if k in r['scores'][m]]) for k in names]
            lines.append(f'| {task} | {m} | ' + ' | '.join(f'{v:.3f}' for v in vals) + ' |')
    return '\n'.join(lines)


# --- figure --------------------------------------------------------------------------------
def figure(rows: list, methods: Sequence[str], path: Path, per_task: int = 1) -> list:
    """One combination sample per task: the degraded sources, the prompt the MMAIF models were
    given (a text cell), every method with its PSNR_ref, the target."""
    from fusionbox.visualization.comparison import GridRow, draw_grid

    prompt_panel = _load_sibling('prompt_response').prompt_panel  # the prompt cell of both figures
    picks, seen = [], {}
    for row in sorted(rows, key=lambda r: '+' not in r['condition']):
        if seen.get(row['task'], 0) < per_task and '_images' in row:
            picks.append(row)
            seen[row['task']] = seen.get(row['task'], 0) + 1
    grid = []
    for row in picks:
        im = row['_images']
        cells = []
        for name, source in zip(row['names'], im['degraded']):
            hit = [rec['type'] for rec in row['records'] if name in rec['sources']]
            cells.append((f"{name}: {'+'.join(hit) or 'clean'}", source))
        if any(m.startswith('MMAIF') for m in methods):
            cells.append(('prompt (MMAIF)', prompt_panel([f'"{row["prompt"]}"'], im['label'])))
        cells += [(f"{m} {row['scores'][m]['PSNR_ref']:.1f} dB", im[m]) for m in methods]
        cells.append(('target: label of the clean sources', im['label']))
        grid.append(GridRow(f"{row['task']} {row['set']}/{row['stem']}", cells))
    draw_grid(grid, path, zoom=False, overwrite=True, dpi=90)  # redrawn after each task
    return [f"{p['task']} {p['set']}/{p['stem']} {p['condition']}" for p in picks]


# --- cost ----------------------------------------------------------------------------------
MEMORY_SNIPPET = """
import sys, json, torch, importlib.util
torch.set_num_threads(int(sys.argv[5]))
spec = importlib.util.spec_from_file_location('model_core', sys.argv[1])
mc = importlib.util.module_from_spec(spec); spec.loader.exec_module(mc)
from mmengine.config import Config
cfg = Config.fromfile(sys.argv[2])
model_cfg = mc.pixel_variant(cfg) if sys.argv[3] == 'pixel' else None
if model_cfg and model_cfg['backbone'].get('state_channels'):
    model_cfg['backbone']['state_channels'] = 1
_, model = mc.build(mc.Path(sys.argv[2]), model_cfg=model_cfg)
h, w = map(int, sys.argv[4].split('x'))
data = mc.pair((h, w), model)
def kb(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1])
before = kb('VmRSS:')
with torch.no_grad():
    model(**data, mode='predict')
print(json.dumps(dict(peak_mb=(kb('VmHWM:') - before) / 1024)))
"""


def peak_memory(config: str, space: str, size: str, threads: int = 1) -> float:
    """Peak resident memory (MB) added by one fusion of a ``size`` pair, in a fresh process."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, '-c', MEMORY_SNIPPET, str(Path(__file__).with_name('model_core.py')),
         config, space, size, str(threads)],
        capture_output=True, text=True, cwd=REPO, timeout=1800,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f'memory run of {config} ({space}) failed: {proc.stderr[-800:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])['peak_mb']


def _forward(model, data):
    import torch

    with torch.no_grad():
        return model(**data, mode='predict')


def _time(fn, repeats: int) -> tuple:
    fn()  # warm-up
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    return min(walls) * 1e3, float(np.median(walls)) * 1e3


def cost(args, mmaif: dict, others: dict, pool: dict, log=print) -> dict:
    """Time and memory per 480 x 640 pair (see the module doc)."""
    import cv2
    import torch

    from fusionbox.degradations import DEFAULT_TASK_OPS, RestoreThenFuse
    from fusionbox.registry import DEGRADATIONS

    mc = _load_sibling('model_core')
    out = dict(load_before=os.getloadavg(), threads=torch.get_num_threads(), models=[], cascade=[])
    entry = next(e for e in pool['ivf'] if e['set'] != 'VIFB')
    sample = DegradedSamples(args.seed).get(entry, 'ivf', ('GaussianNoise',))
    clean = [cv2.resize(c, (640, 480), interpolation=cv2.INTER_AREA) for c in sample['clean']]
    names = sample['names']
    for name, inf in mmaif.items():
        config = inf.cfg.filename
        ms, med = _time(
            lambda f=inf: f(list(clean), 'ivf', prompt='remove the noise'), args.repeats
        )
        _, model = mc.build(Path(config), checkpoint=None)
        flops = mc.fitted_flops(model, (480, 640), log)
        pixel_cfg = mc.pixel_variant(inf.cfg)
        if pixel_cfg['backbone'].get('state_channels'):  # a flow model: the state is the image
            pixel_cfg['backbone']['state_channels'] = 1
        _, pixel_model = mc.build(Path(config), model_cfg=pixel_cfg)
        pixel_flops = mc.fitted_flops(pixel_model, (480, 640), log)
        small = tuple(map(int, args.pixel_size.split('x')))
        lat_small = _time(partial(_forward, model, mc.pair(small, model)), args.repeats)
        pix_small = _time(partial(_forward, pixel_model, mc.pair(small, pixel_model)), args.repeats)
        row = dict(
            model=name, config=str(config),
            ms_min=ms, ms_median=med, gflops_latent=flops / 1e9, gflops_pixel=pixel_flops / 1e9,
            mb_latent=peak_memory(config, 'latent', '480x640'),
            mb_pixel_small=peak_memory(config, 'pixel', args.pixel_size),
            mb_latent_small=peak_memory(config, 'latent', args.pixel_size),
            small=args.pixel_size, ms_latent_small=lat_small, ms_pixel_small=pix_small,
        )  # fmt: skip
        log(f'  cost {name}: {row}', flush=True)
        out['models'].append(row)
    for name, fn in others.items():
        if name == PRIOR_CLEAN or name == CASCADE:
            continue
        probe = dict(sample, degraded=np.stack(clean), clean=np.stack(clean))
        ms, med = _time(partial(fn, probe, 'ivf'), args.repeats)
        out['models'].append(dict(model=name, ms_min=ms, ms_median=med))
    cascade = RestoreThenFuse()
    ops = list(dict.fromkeys(op for t in DEFAULT_TASK_OPS for op in DEFAULT_TASK_OPS[t]))
    for op_name in ops:
        op = DEGRADATIONS.build(dict(type=op_name))
        hit = next(i for i, n in enumerate(names) if op.accepts(n))
        rng = np.random.default_rng(0)
        degraded = [c[..., None].copy() for c in clean]
        degraded[hit] = op.degrade(degraded[hit], rng)[0].reshape(degraded[hit].shape)
        records = [dict(type=op_name, sources=[names[hit]])]
        ms, med = _time(partial(cascade, degraded, names, records, 'ivf'), args.repeats)
        out['cascade'].append(dict(degradation=op_name, ms_min=ms, ms_median=med))
    out['load_after'] = os.getloadavg()
    return out


def cost_markdown(result: dict) -> str:
    lines = [
        f"Load average before / after: {', '.join(f'{v:.2f}' for v in result['load_before'])} / "
        f"{', '.join(f'{v:.2f}' for v in result['load_after'])}; torch threads "
        f"{result['threads']}.",
        '',
        '| model | ms per 480x640 pair (min / median) | GFLOPs latent | GFLOPs same DiT on pixels '
        '| peak MB latent @480x640 | ms latent / pixels @small | peak MB latent / pixels @small |',
        '|---|---|---|---|---|---|---|',
    ]
    for r in result['models']:
        if 'gflops_latent' in r:
            lines.append(
                f"| {r['model']} | {r['ms_min']:.0f} / {r['ms_median']:.0f} | "
                f"{r['gflops_latent']:.1f} | {r['gflops_pixel']:.1f} "
                f"({r['gflops_pixel'] / r['gflops_latent']:.1f}x) | {r['mb_latent']:.0f} | "
                f"{r['ms_latent_small'][0]:.0f} / {r['ms_pixel_small'][0]:.0f} @{r['small']} | "
                f"{r['mb_latent_small']:.0f} / {r['mb_pixel_small']:.0f} @{r['small']} |"
            )
        else:
            lines.append(f"| {r['model']} | {r['ms_min']:.0f} / {r['ms_median']:.0f} | | | | | |")
    casc = result['cascade']
    lines += ['', '| cascade step (restore + best prior) | ms per 480x640 pair (min / median) |',
              '|---|---|']  # fmt: skip
    lines += [f"| {c['degradation']} | {c['ms_min']:.0f} / {c['ms_median']:.0f} |" for c in casc]
    mean = np.mean([c['ms_min'] for c in casc])
    lines.append(f'| **mean over the {len(casc)} degradations** | {mean:.0f} |')
    return '\n'.join(lines)


# --- main ----------------------------------------------------------------------------------
def _slug(name: str) -> str:
    return ''.join(c if c.isalnum() or c in '-_' else '_' for c in name).strip('_')


def run_samples(args, pool, mmaif, others, out: Path, log=print, on_task=None) -> list:
    from fusionbox.degradations import RandomDegradationComposer
    from fusionbox.structures import TASKS
    from fusionbox.utils.image_io import write_image

    composer, samples, rows = RandomDegradationComposer(), DegradedSamples(args.seed), []
    prompts_written: Dict[str, dict] = {}
    start = time.perf_counter()
    for task in args.tasks.split(','):
        entries = pool.get(task, [])
        if not entries:
            log(f'{task}: no held-out pair, skipped')
            continue
        for ci, cond in enumerate(conditions(task, args)):
            count = 1 if args.quick else (args.combo_pairs if len(cond) > 1 else args.pairs)
            rng = np.random.default_rng([args.seed, TASKS.index(task), ci])
            for j in rng.permutation(len(entries))[:count]:
                entry = entries[int(j)]
                s = samples.get(entry, task, cond)
                if len(s['records']) != len(cond):
                    log(f'  {task} {"+".join(cond)} {entry["set"]}/{entry["stem"]}: not applicable')
                    continue
                row = dict(task=task, condition='+'.join(cond), set=entry['set'],
                           stem=entry['stem'], names=s['names'], records=s['records'],
                           prompt=s['prompt'])  # fmt: skip
                wrong = wrong_prompt(composer, task, s['names'], s['records'], rng)
                row['prompts'] = dict(right=s['prompt'], wrong=wrong, empty='')
                fused = {}
                for name, inf in mmaif.items():
                    fused[name] = inf(list(s['degraded']), task, prompt=s['prompt'])[0]
                for name, fn in others.items():
                    fused[name] = fn(s, task)
                row['scores'] = {m: score(f, s, not args.no_cddfuse) for m, f in fused.items()}
                row['prompts_scores'] = {}
                for name, inf in mmaif.items():
                    right = {k: row['scores'][name][k] for k in ('PSNR_ref', 'SSIM_ref')}
                    row['prompts_scores'][name] = dict(right=right)
                    for cond_name in ('wrong', 'empty'):
                        image = inf(list(s['degraded']), task, prompt=row['prompts'][cond_name])[0]
                        row['prompts_scores'][name][cond_name] = score(image, s, False)
                sample_id = f"{task}_{row['condition']}_{entry['set']}_{entry['stem']}"
                for name, image in fused.items():
                    folder = out / 'fused' / _slug(name)
                    write_image(folder / f'{sample_id}.png', np.clip(image, 0, 1))
                    given = s['prompt'] if name in mmaif else ''
                    prompts_written.setdefault(name, {})[f'{sample_id}.png'] = given
                row['_images'] = dict(fused, degraded=s['degraded'], label=s['label'])
                rows.append(row)
                done = {m: f"{row['scores'][m]['PSNR_ref']:.2f}" for m in fused}
                log(f'  [{len(rows)}] {sample_id} ({time.perf_counter() - start:.0f} s): {done}',
                    flush=True)  # fmt: skip
            if on_task is not None:  # partial results survive a later failure
                on_task(rows, False)
        if on_task is not None:
            on_task(rows, True)
    from fusionbox.utils.io import atomic_write_json

    for name, table in prompts_written.items():
        atomic_write_json(out / 'fused' / _slug(name) / 'prompts.json', table, overwrite=False)
    return rows


def report(rows, methods, mmaif, args, command, shown, cost_result) -> list:
    """The sections of ``results.md``."""
    sections = [
        '# MMAIF on degraded held-out real pairs',
        f'Command: `{command}`',
        f'Samples: {len(rows)} (held-out real stems and VIFB); seed {args.seed}. PSNR_ref (dB) / '
        'SSIM_ref of the fused luma to the pseudo-label of the clean sources; bold: the best '
        'method on the degraded inputs.',
        condition_table(rows, methods),
        '## MMAIF against the cascade and the best prior (conditions won on mean PSNR_ref)',
        wins_table(rows, mmaif),
        '## Prompt response (right / wrong / empty prompt)',
        prompt_table(rows, mmaif) if mmaif else '(no MMAIF model)',
    ]
    if not args.no_cddfuse:
        sections += ['## cddfuse no-reference metrics (against the clean sources)',
                     nr_table(rows, methods)]  # fmt: skip
    sections += ['Figure: `examples.png` (' + '; '.join(shown) + ')']
    if cost_result:
        sections += ['## Cost per 480 x 640 pair', cost_markdown(cost_result)]
    return sections


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    if out.exists():
        print(f'mmaif_degraded: error: {out} exists; give a new --out folder', file=sys.stderr)
        return 1
    from fusionbox.utils import register_all_modules
    from fusionbox.utils.io import atomic_write_json, atomic_write_text

    register_all_modules()
    command = 'python benchmarks/mmaif_degraded.py ' + ' '.join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv)
    )
    try:
        pool = sample_pool(args)
        mmaif, others = build_methods(args)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f'mmaif_degraded: error: {exc}', file=sys.stderr)
        return 1
    out.mkdir(parents=True)
    print(f'load average {os.getloadavg()}; pool: { {t: len(v) for t, v in pool.items()} }')
    methods = list(mmaif) + list(others)
    state = dict(command=command, cost=None, shown=[])

    def write(rows, figure_too=True):
        if figure_too and rows:
            state['shown'] = figure(rows, methods, out / 'examples.png')
        shown = state['shown']
        kept = [{k: v for k, v in r.items() if k != '_images'} for r in rows]
        sections = report(kept, methods, list(mmaif), args, command, shown, state['cost'])
        # rewritten after each task (partial results survive a later failure)
        result = dict(command=command, rows=kept, cost=state['cost'])
        atomic_write_json(out / 'results.json', result, overwrite=True)
        atomic_write_text(out / 'results.md', '\n\n'.join(sections) + '\n', overwrite=True)
        return sections

    if args.cost:  # first: it needs a quiet process, and the samples may be cut short
        print('cost per 480x640 pair ...', flush=True)
        state['cost'] = cost(args, mmaif, others, pool)
        print(cost_markdown(state['cost']), flush=True)
    rows = run_samples(args, pool, mmaif, others, out, on_task=write)
    sections = write(rows)
    print('\n\n'.join(sections))
    return 0


if __name__ == '__main__':
    sys.exit(main())
