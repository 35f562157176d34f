"""Cost of every shipped fuser at 480 x 640 and the quality-versus-NFE curve of trained flow models.

Usage::

    python benchmarks/model_core.py --out work_dirs/benchmarks/model_core_480 \
        [--threads 2] [--size 480x640] [--folders allinone,fusionfm,mmaif] [--configs CFG ...] \
        [--nfe 1,2,4,8] [--repeats 5] [--slow 5] [--max-gflops 400] \
        [--checkpoint CONFIG=CHECKPOINT ...] [--steps 1,2,4,8,16] [--reference-steps 32] \
        [--images N] [--val-loss] [--latent-vs-pixel] [--skip-cost] [--quick]

Sections, each written to ``--out`` (a new folder; the script refuses to write into a non-empty
one) as Markdown, plus ``results.json`` and ``quality_vs_nfe.png``:

1. **Cost** (``cost.md``) of every config under ``--folders`` (``continual/`` is the ``allinone``
   ``unet-t`` regression trained on task sequences and ``autoencoder/`` is not a fuser: both are
   left out): parameters (all, trainable), FLOPs of one fusion of one two-source pair of size
   ``--size`` (``torch.utils.flop_counter.FlopCounterMode``: 2 FLOPs per multiply-add;
   convolutions, matmuls, attention; every NFE included) and the time per pair (batch 1,
   ``torch.set_num_threads(--threads)``) at each NFE of ``--nfe`` for the flow-matching configs
   (NFE 1 for regression): the minimum wall time and the minimum process CPU time over
   ``--repeats`` runs after a warm-up; a run slower than ``--slow`` s is timed by that one run
   (marked ``1 run``) and a pair above ``--max-gflops`` is not timed (the reason is printed and
   written). The machine may be shared: the load average is recorded before and after.

   FLOPs: a flow-matching config is counted at NFE 1 and 2 and extended linearly (fixed-step
   solvers evaluate the same network once per step: ``F(k) = F(1) + (k - 1) (F(2) - F(1))``).
   A transformer backbone (with a ``patch_size``) at 480 x 640 is too slow to run on this CPU, so
   its FLOPs are fitted exactly from three small square inputs as ``c + a T + b T^2`` in the
   number of tokens T (the patch embedding, MLPs / experts (each token takes exactly top-k) and
   the NAF convolutions are linear in T, attention is quadratic), checked against a fourth size.

2. **Latent versus pixel** (``--latent-vs-pixel``, ``latent_vs_pixel.md``): the MMAIF MoE-DiT in
   its Haar latent against the same backbone (same preset, same patch size) built on the pixels:
   FLOPs at ``--size`` (fitted as above) for ``moe-dit-s`` and ``moe-dit-t``, and CPU time at
   ``--ratio-size`` (small, timed for real) with ``moe-dit-t``.

3. **Quality versus NFE** (``--checkpoint CONFIG=CKPT``, flow-matching configs;
   ``quality_vs_nfe.md`` / ``.png``): on the config's test split (``--images`` per task), for
   each k of ``--steps`` the k-step result against the ``--reference-steps`` result (PSNR, SSIM;
   the same x0 noise for both: the generator is seeded per image) and the fusion metrics per
   task from :mod:`fusionbox.evaluation.functional` (SSIM_ref / PSNR_ref to the ground truth on
   MEF / MFF, Qabf / SF on IVF / MIF), next to the mean of the sources.
   ``--val-loss``: the training objective's loss on the val split (fixed seeds) of the untrained
   model (seed 0) and of each checkpoint.

``--quick``: a tiny run for the tests (32 x 32, the FusionFM-lite config only, NFE 1 and 2, one
repeat, quality on 1 image per task with 1 step against 2, untrained unless a checkpoint is
given; ``--latent-vs-pixel`` with ``moe-dit-t`` only, timed at 32 x 32).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from fusionbox.registry import DATASETS  # noqa: E402
from fusionbox.structures import FusionSample  # noqa: E402
from fusionbox.tasks import SpecView, all_tasks  # noqa: E402
from fusionbox.utils import register_all_modules  # noqa: E402

#: Folders of configs that are not fusers or duplicate another folder's models.
SKIPPED_FOLDERS = {
    'continual': 'the allinone unet-t regression trained on task sequences (same cost)',
    'autoencoder': 'not a fuser (the learned latent space)',
}
LITE = 'fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py'
MMAIF = 'mmaif/mmaif_moe-dit-s_reg_ivf-mif-mef-mff.py'
COST_COLUMNS = ('config', 'params (M)', 'trainable (M)', 'NFE', 'GFLOPs / pair', 'latency (ms)',
                'median (ms)', 'CPU time (ms)', 'note')  # fmt: skip
#: Fusion metrics per task in the quality table: what each task is judged by (its spec's
#: ``judged_by``).
TASK_METRICS = SpecView('judged_by')


# --- helpers -------------------------------------------------------------------------------------


def load_avg() -> str:
    return ' '.join(f'{x:.2f}' for x in os.getloadavg())


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO / 'configs'))
    except ValueError:
        return str(path)


def build(path: Path, checkpoint: str | None = None, model_cfg: dict | None = None):
    """The eval-mode fuser of a config (``model_cfg`` replaces its model), weights loaded
    (through :func:`fusionbox.apis.build_fuser`, the one model loader)."""
    from fusionbox.apis import build_fuser

    cfg = Config.fromfile(str(path))
    if model_cfg is not None:
        cfg.model = model_cfg
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # e.g. a frozen autoencoder without its checkpoint
        model = build_fuser(cfg, checkpoint)
    model.trainable_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    model.requires_grad_(False)  # inference only (and FlopCounterMode's module tracker needs it)
    return cfg, model


def pair(hw: tuple[int, int], model, prompt: str = 'remove the noise') -> dict:
    """A random two-source pair (task ivf) through the model's data preprocessor."""
    gen = torch.Generator().manual_seed(0)
    sample = FusionSample(metainfo=dict(task='ivf', stem='bench', prompt=prompt))
    batch = dict(inputs=[torch.rand(2, 1, *hw, generator=gen)], data_samples=[sample])
    return model.data_preprocessor(batch, False)


def is_flow(model) -> bool:
    return hasattr(model.objective, 'solver')


def set_steps(model, k: int) -> None:
    if is_flow(model):
        model.objective.num_steps = k


def _sdpa_cpu_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of CPU flash attention (torch counts only the CUDA kernels): QK^T and AV."""
    return sdpa_flop_count(query_shape, key_shape, value_shape)


#: Attention kernels that ``FlopCounterMode`` does not count on the CPU.
CUSTOM_FLOPS = {}
if hasattr(torch.ops.aten, '_scaled_dot_product_flash_attention_for_cpu'):
    CUSTOM_FLOPS[torch.ops.aten._scaled_dot_product_flash_attention_for_cpu] = _sdpa_cpu_flops


def count_flops(model, data) -> float:
    with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=CUSTOM_FLOPS) as counter:
        model(**data, mode='tensor')
    return float(counter.get_total_flops())


def token_divisor(model) -> int | None:
    """Pixels per token side for a transformer backbone (autoencoder downsample x patch)."""
    patch = getattr(model.backbone, 'patch_size', None)
    if patch is None:
        return None
    ae = model.autoencoder
    return patch * (1 if ae is None else ae.downsample)


def fitted_flops(model, hw: tuple[int, int], log=print) -> float:
    """FLOPs at ``hw`` of a transformer fuser from an exact fit ``c + a T + b T^2`` (T tokens)."""
    d = token_divisor(model)
    sides = [d * m for m in (4, 8, 12)]
    tokens = np.array([(s // d) ** 2 for s in sides], dtype=np.float64)
    flops = np.array([count_flops(model, pair((s, s), model)) for s in sides])
    coef = np.linalg.solve(np.stack([np.ones(3), tokens, tokens**2], 1), flops)
    check_side = d * 16
    check = count_flops(model, pair((check_side, check_side), model))
    pred = coef @ np.array([1.0, (check_side // d) ** 2, (check_side // d) ** 4])
    log(
        f'    FLOPs fit c + aT + bT^2 from {sides} px; check at {check_side} px: counted '
        f'{check / 1e9:.3f} G, fitted {pred / 1e9:.3f} G ({abs(pred / check - 1) * 100:.2f}% off)'
    )
    t = (hw[0] // d) * (hw[1] // d)
    return float(coef @ np.array([1.0, t, t * t]))


def time_run(model, data, repeats: int, slow: float) -> tuple[float, float, int, float]:
    """(min wall s, min CPU s, runs timed, median wall s) after a warm-up; the warm-up alone
    (0 runs) when it exceeds ``slow``. The minimum is the machine's figure, the median shows
    how much other load there was."""
    with torch.no_grad():
        t0, c0 = time.perf_counter(), time.process_time()
        model(**data, mode='predict')
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall > slow:
            return wall, cpu, 0, wall
        walls, cpus = [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            model(**data, mode='predict')
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), repeats, float(np.median(walls))


def markdown(columns, rows) -> str:
    lines = ['| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(str(row.get(c, '')) for c in columns) + ' |' for row in rows]
    return '\n'.join(lines)


# --- 1. cost -------------------------------------------------------------------------------------


def cost_rows(path: Path, args, log=print) -> list[dict]:
    """Rows (one per NFE) of one config."""
    _, model = build(path)
    params = sum(p.numel() for p in model.parameters())
    trainable = model.trainable_params
    nfes = args.nfe if is_flow(model) else [1]
    hw = args.hw
    # FLOPs: linear in the steps (fixed-step solvers), fitted in the tokens (transformers)
    per = {}
    for k in sorted({1, 2} if is_flow(model) else {1}):
        set_steps(model, k)
        if token_divisor(model) is not None:
            per[k] = fitted_flops(model, hw, log)
        else:
            per[k] = count_flops(model, pair(hw, model))
    fixed, step = (per[1], 0.0) if not is_flow(model) else (2 * per[1] - per[2], per[2] - per[1])
    how = 'fitted in T' if token_divisor(model) is not None else 'counted'
    rows = []
    for k in nfes:
        set_steps(model, k)
        flops = fixed + k * step if is_flow(model) else per[1]
        row = {
            'config': rel(path),
            'params (M)': f'{params / 1e6:.3f}',
            'trainable (M)': f'{trainable / 1e6:.3f}',
            'NFE': str(k),
            'GFLOPs / pair': f'{flops / 1e9:.3f}' if flops < 1e10 else f'{flops / 1e9:.1f}',
            '_gflops': flops / 1e9,
            '_params': params,
        }
        notes = [] if how == 'counted' else ['FLOPs fitted in the tokens']
        if flops / 1e9 > args.max_gflops:
            reason = f'not timed: {flops / 1e9:.0f} GFLOPs > --max-gflops {args.max_gflops:g}'
            row.update({'latency (ms)': '-', 'median (ms)': '-', 'CPU time (ms)': '-'})
            notes.append(reason)
            log(f'  {rel(path)} NFE {k}: {reason}')
        else:
            data = pair(hw, model)
            wall, cpu, runs, median = time_run(model, data, args.repeats, args.slow)
            row.update({
                'latency (ms)': f'{wall * 1e3:.0f}', 'median (ms)': f'{median * 1e3:.0f}',
                'CPU time (ms)': f'{cpu * 1e3:.0f}',
                '_wall': wall, '_cpu': cpu,
            })  # fmt: skip
            notes.append('1 run (slow)' if runs == 0 else f'min of {runs}')
        row['note'] = '; '.join(notes)
        log('  ' + ', '.join(f'{c}: {row[c]}' for c in COST_COLUMNS), flush=True)
        rows.append(row)
    return rows


# --- 2. latent versus pixel ----------------------------------------------------------------------


def pixel_variant(cfg) -> dict:
    """The model config of the same backbone on the pixels (no autoencoder, same patch size)."""
    model_cfg = copy.deepcopy(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else cfg.model)
    model_cfg['autoencoder'] = None
    model_cfg['backbone'] = dict(model_cfg['backbone'], in_channels=1)
    model_cfg['backbone'].pop('input_size', None)
    patch = model_cfg['backbone'].get('patch_size', 2)
    model_cfg['data_preprocessor'] = dict(type='FusionDataPreprocessor', size_divisor=patch)
    return model_cfg


def latent_vs_pixel(args, log=print) -> list[dict]:
    path = REPO / 'configs' / MMAIF
    cfg = Config.fromfile(str(path))
    rows = []
    for arch in args.ratio_archs:
        row = {'backbone': arch}
        models = {}
        for space in ('latent', 'pixel'):
            model_cfg = copy.deepcopy(cfg.model.to_dict())
            model_cfg['backbone']['arch'] = arch
            if arch.endswith('-t') and model_cfg.get('text_encoder'):
                model_cfg['text_encoder']['dim'] = 64
            if space == 'pixel':
                model_cfg = pixel_variant(Config(dict(model=model_cfg)))
            _, model = build(path, model_cfg=model_cfg)
            models[space] = model
            log(f'  {arch} in {space} space:')
            row[f'{space} GFLOPs'] = fitted_flops(model, args.hw, log) / 1e9
            row[f'{space} params (M)'] = sum(p.numel() for p in model.parameters()) / 1e6
            row[f'{space} tokens'] = (args.hw[0] // token_divisor(model)) * (
                args.hw[1] // token_divisor(model)
            )
        row['FLOPs ratio pixel / latent'] = row['pixel GFLOPs'] / row['latent GFLOPs']
        if arch in args.ratio_time_archs:
            times = {}
            for space, model in models.items():
                data = pair((args.ratio_size, args.ratio_size), model)
                wall, cpu, _, _ = time_run(model, data, args.repeats, args.slow)
                times[space] = (wall, cpu)
                row[f'{space} ms @{args.ratio_size}'] = wall * 1e3
                row[f'{space} CPU ms @{args.ratio_size}'] = cpu * 1e3
            row[f'time ratio @{args.ratio_size}'] = times['pixel'][0] / times['latent'][0]
            row[f'CPU time ratio @{args.ratio_size}'] = times['pixel'][1] / times['latent'][1]
        log('  ' + ', '.join(f'{k}: {_fmt(v)}' for k, v in row.items()), flush=True)
        rows.append(row)
    return rows


def _fmt(v) -> str:
    if isinstance(v, float):
        return f'{v:.3g}' if abs(v) < 100 else f'{v:.0f}'
    return str(v)


# --- 3. quality versus NFE -----------------------------------------------------------------------


def test_samples(cfg, per_task: int | None, split: str = 'test') -> list:
    dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    counts: dict[str, int] = {}
    out = []
    for i in range(len(dataset)):
        item = dataset[i]
        task = item['data_samples'].metainfo['task']
        if per_task is not None and counts.get(task, 0) >= per_task:
            continue
        counts[task] = counts.get(task, 0) + 1
        out.append(item)
    return out


def quality(path: Path, checkpoint: str | None, args, log=print) -> dict:
    """Per k: PSNR / SSIM against the reference-step result and the task metrics."""
    from fusionbox.evaluation.functional import get_metric

    cfg, model = build(path, checkpoint)
    if not is_flow(model):
        raise ValueError(f'{rel(path)} is not a flow-matching config')
    samples = test_samples(cfg, args.images)
    ks = list(args.steps) + [args.reference_steps]
    acc: dict = {}  # (k, task, metric) -> list

    def add(k, task, name, value):
        acc.setdefault((k, task, name), []).append(value)

    for idx, item in enumerate(samples):
        sample = item['data_samples']
        task = sample.metainfo['task']
        data = model.data_preprocessor(dict(inputs=[item['inputs']], data_samples=[sample]), False)
        preds = {}
        with torch.no_grad():
            for k in ks:
                set_steps(model, k)
                torch.manual_seed(1000 + idx)  # the same x0 noise for every k
                out = model(**data, mode='predict')[0]
                preds[k] = out.pred[0].numpy().astype(np.float64) * 255.0  # (H, W)
        sources = [s[0].numpy().astype(np.float64) * 255.0 for s in out.sources]
        gt = sample.gt[0].numpy().astype(np.float64) * 255.0 if 'gt' in sample else None
        ref = preds[args.reference_steps]
        preds['mean'] = np.mean(sources, axis=0)
        for k, fused in preds.items():
            if k not in ('mean', args.reference_steps):
                add(k, 'all', 'PSNR_vs_ref', get_metric('PSNR_ref')(fused, sources, ref))
                add(k, 'all', 'SSIM_vs_ref', get_metric('SSIM_ref')(fused, sources, ref))
            for name in TASK_METRICS[task]:
                if name.endswith('_ref') and gt is None:
                    continue
                add(k, task, name, get_metric(name)(fused, sources, gt))
    result = {'config': rel(path), 'checkpoint': checkpoint, 'images': len(samples),
              'reference_steps': args.reference_steps, 'rows': []}  # fmt: skip
    for k in ks + ['mean']:
        row = {'k': k}
        for (kk, task, name), values in acc.items():
            if kk == k:
                row[f'{task} {name}'] = float(np.mean(values))
        result['rows'].append(row)
    log(quality_markdown(result))
    return result


def quality_columns(result) -> list[str]:
    cols = ['all PSNR_vs_ref', 'all SSIM_vs_ref']
    for task, names in TASK_METRICS.items():
        cols += [f'{task} {n}' for n in names if any(f'{task} {n}' in r for r in result['rows'])]
    return cols


def quality_markdown(result) -> str:
    cols = quality_columns(result)
    ref = result['reference_steps']
    head = ['steps (NFE)'] + [
        c.replace('all PSNR_vs_ref', f'PSNR vs {ref}-step (dB)').replace(
            'all SSIM_vs_ref', f'SSIM vs {ref}-step'
        )
        for c in cols
    ]
    rows = []
    for r in result['rows']:
        label = 'mean of the sources' if r['k'] == 'mean' else str(r['k'])
        cells = [label] + [
            ''
            if c not in r
            else (f'{r[c]:.2f}' if 'PSNR' in c or c.endswith('SF') else f'{r[c]:.4f}')  # fmt: skip
            for c in cols
        ]
        rows.append(dict(zip(head, cells)))
    return markdown(head, rows)


def quality_figure(results: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for res in results:
        stem = Path(res['config']).stem.split('_')
        name = f"{stem[0]} {stem[1]} {Path(res['checkpoint']).stem if res['checkpoint'] else ''}"
        rows = [r for r in res['rows'] if r['k'] not in ('mean', res['reference_steps'])]
        ks = [r['k'] for r in rows]
        axes[0].plot(ks, [r['all PSNR_vs_ref'] for r in rows], 'o-', label=name)
        allrows = [r for r in res['rows'] if r['k'] != 'mean']
        kk = [r['k'] for r in allrows]
        mean = next(r for r in res['rows'] if r['k'] == 'mean')
        for spec in all_tasks():  # ground truth: SSIM_ref (middle panel), else Qabf (right)
            task, ax, metric = (spec.name, 1, 'SSIM_ref') if spec.has_gt else (spec.name, 2, 'Qabf')
            key = f'{task} {metric}'
            if key not in mean:
                continue
            line = axes[ax].plot(kk, [r[key] for r in allrows], 'o-', label=f'{task} ({name})')
            axes[ax].axhline(mean[key], ls='--', color=line[0].get_color(), lw=1)
    ref = results[0]['reference_steps']
    titles = (f'PSNR of the k-step result vs the {ref}-step one',
              'SSIM_ref to the ground truth (dashed: mean of sources)',
              'Qabf (dashed: mean of sources)')  # fmt: skip
    for ax, title in zip(axes, titles):
        ax.set_xscale('log', base=2)
        ax.set_xlabel('Euler steps (NFE)')
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel('dB')
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def val_loss(path: Path, checkpoint: str | None, draws: int = 4, images: int | None = None):
    """Mean total training loss on the val split (fixed seeds: the same t and noise per image)."""
    cfg, model = build(path, checkpoint)
    samples = test_samples(cfg, images, split='val')
    total, parts = [], {}
    with torch.no_grad():
        for idx, item in enumerate(samples):
            batch = dict(inputs=[item['inputs']], data_samples=[item['data_samples']])
            data = model.data_preprocessor(batch, True)
            for d in range(draws):
                torch.manual_seed(10_000 * d + idx)
                losses = model(**data, mode='loss')
                total.append(float(sum(v.sum() for v in losses.values())))
                for name, value in losses.items():
                    parts.setdefault(name, []).append(float(value))
    return {'loss': float(np.mean(total)), **{k: float(np.mean(v)) for k, v in parts.items()},
            'images': len(samples), 'draws': draws}  # fmt: skip


# --- main ----------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    h, _, w = text.lower().partition('x')
    return int(h), int(w or h)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='a new folder (refused if not empty)')
    parser.add_argument('--folders', default='allinone,fusionfm,mmaif')
    parser.add_argument('--configs', nargs='*', help='config files instead of --folders')
    parser.add_argument('--size', default='480x640', help='H x W of the pair (cost)')
    parser.add_argument('--nfe', default='1,2,4,8', help='NFEs of the flow-matching configs')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--slow', type=float, default=5.0, help='s above which one run is timed')
    parser.add_argument('--max-gflops', type=float, default=400.0, help='do not time above')
    parser.add_argument('--threads', type=int, default=2, help='torch threads')
    parser.add_argument('--skip-cost', action='store_true', help='no cost table')
    parser.add_argument('--latent-vs-pixel', action='store_true')
    parser.add_argument('--ratio-size', type=int, default=128, help='side of the timed pair')
    parser.add_argument(
        '--checkpoint', nargs='*', default=[], metavar='CONFIG=CKPT',
        help='trained flow-matching model(s) for the quality-vs-NFE curve')  # fmt: skip
    parser.add_argument('--steps', default='1,2,4,8,16')
    parser.add_argument('--reference-steps', type=int, default=32)
    parser.add_argument('--images', type=int, default=None, help='test images per task')
    parser.add_argument('--val-loss', action='store_true', help='val loss untrained vs trained')
    parser.add_argument('--quick', action='store_true', help='tiny run (tests)')
    args = parser.parse_args(argv)

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        print(f'error: --out {out} exists and is not empty; choose a new folder', file=sys.stderr)
        return 2
    register_all_modules()
    torch.set_num_threads(args.threads)
    args.nfe = [int(x) for x in args.nfe.split(',')]
    args.steps = [int(x) for x in args.steps.split(',')]
    args.hw = parse_size(args.size)
    args.ratio_archs, args.ratio_time_archs = ['moe-dit-s', 'moe-dit-t'], ['moe-dit-t']
    checkpoints = [c.split('=', 1) if '=' in c else (c, None) for c in args.checkpoint]
    if args.quick:
        args.hw, args.nfe, args.repeats, args.slow = (32, 32), [1, 2], 1, 60.0
        args.steps, args.reference_steps, args.images = [1], 2, 1
        args.configs = args.configs or [str(REPO / 'configs' / LITE)]
        args.ratio_size, args.ratio_archs = 32, ['moe-dit-t']
        checkpoints = checkpoints or [(str(REPO / 'configs' / LITE), None)]
    out.mkdir(parents=True, exist_ok=True)

    lines: list[str] = []

    def log(msg='', flush=True):
        print(msg, flush=flush)
        lines.append(str(msg))

    results: dict = {'torch': torch.__version__, 'threads': torch.get_num_threads(),
                     'cpus': os.cpu_count(), 'size': list(args.hw),
                     'load_start': load_avg()}  # fmt: skip
    header = (
        f'Model core at {args.hw[0]} x {args.hw[1]}, 2 sources, batch 1, torch '
        f'{torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; '
        f'load average (1, 5, 15 min) {results["load_start"]} at start.'
    )
    log(header)
    report = [header, '']

    if not args.skip_cost:
        if args.configs:
            paths = [Path(p).resolve() for p in args.configs]
        else:
            paths = []
            for folder in args.folders.split(','):
                if folder in SKIPPED_FOLDERS:
                    log(f'skipping configs/{folder}/: {SKIPPED_FOLDERS[folder]}')
                    continue
                paths += sorted((REPO / 'configs' / folder).glob('*.py'))
        rows = []
        for path in paths:
            log(f'{rel(path)} (load {load_avg()})')
            rows += cost_rows(path, args, log)
        results['cost'] = [{k: v for k, v in r.items()} for r in rows]
        table = markdown(COST_COLUMNS, rows)
        (out / 'cost.md').write_text(f'{header}\n\nLoad average at the end: {load_avg()}.\n\n'
                                     f'{table}\n')  # fmt: skip
        report += ['## Cost per pair', '', table, '', f'Load average after: {load_avg()}.', '']
        log(table)

    if args.latent_vs_pixel:
        log(f'latent vs pixel (load {load_avg()})')
        ratio = latent_vs_pixel(args, log)
        results['latent_vs_pixel'] = ratio
        cols = list(dict.fromkeys(k for r in ratio for k in r))
        table = markdown(cols, [{k: _fmt(v) for k, v in r.items()} for r in ratio])
        (out / 'latent_vs_pixel.md').write_text(f'{header}\n\n{table}\n')
        report += ['## MoE-DiT: Haar latent versus pixels', '', table, '']

    if checkpoints:
        qual = []
        for cfg_path, ckpt in checkpoints:
            log(f'quality vs NFE: {cfg_path} {ckpt} (load {load_avg()})')
            qual.append(quality(Path(cfg_path).resolve(), ckpt, args, log))
        results['quality'] = qual
        md = []
        for res in qual:
            md += [f"### {res['config']} ({res['checkpoint'] or 'untrained'}, "
                   f"{res['images']} test images)", '', quality_markdown(res), '']  # fmt: skip
        (out / 'quality_vs_nfe.md').write_text('\n'.join(md))
        quality_figure(qual, out / 'quality_vs_nfe.png')
        report += ['## Quality versus NFE', ''] + md
        if args.val_loss:
            vl, seen = [], set()
            for cfg_path, ckpt in checkpoints:
                for c in [None, ckpt]:
                    if (cfg_path, c) in seen:
                        continue
                    seen.add((cfg_path, c))
                    res = val_loss(Path(cfg_path).resolve(), c, images=args.images)
                    res.update(config=rel(Path(cfg_path)), checkpoint=c or 'untrained (seed 0)')
                    log(f'  val loss {res}')
                    vl.append(res)
            results['val_loss'] = vl
            cols = ['config', 'checkpoint', 'loss'] + sorted(
                {k for r in vl for k in r if k.startswith('loss_')}
            )
            table = markdown(cols, [{k: _fmt(r.get(k, '')) for k in cols} for r in vl])
            report += ['## Validation loss (objective, val split, fixed seeds)', '', table, '']
    results['load_end'] = load_avg()
    report.append(f'Load average at the end: {results["load_end"]}.')
    (out / 'results.json').write_text(json.dumps(results, indent=1, default=str))
    (out / 'report.md').write_text('\n'.join(report) + '\n')
    (out / 'log.txt').write_text('\n'.join(lines) + '\n')
    log(f'written to {out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
