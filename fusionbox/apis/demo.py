"""The main job (``make demo``): embedded benchmark -> train -> test -> compare with averaging.

Everything a person wants to look at lands in one results folder: the fused test images, a
comparison figure (sources, plain average, trained model) per task, the metric tables of the model
and of the average, and a per-task verdict on the metrics the task is judged by.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config

from fusionbox.utils.io import atomic_write_json, atomic_write_text

#: What each task is judged by in the demo: reference metrics where the task has a ground truth.
JUDGED_BY = {
    'ivf': ('SF', 'Qabf'),
    'mif': ('SF', 'Qabf'),
    'mef': ('SSIM_ref', 'PSNR_ref'),
    'mff': ('SSIM_ref', 'PSNR_ref'),
}


def _log(message: str) -> None:
    print(f'[demo {time.strftime("%H:%M:%S")}] {message}', flush=True)


def evaluate_average(cfg: Config) -> dict:
    """Evaluate the plain average of the sources on the test split with the test evaluator."""
    from mmengine.evaluator import Evaluator

    from fusionbox.registry import DATASETS

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    evaluator_cfg = dict(cfg.test_evaluator)
    evaluator_cfg.pop('out_dir', None)
    evaluator = Evaluator(evaluator_cfg)
    for index in range(len(dataset)):
        item = dataset[index]
        sample = item['data_samples']
        sources = item['inputs'].float()  # (N, 1, H, W)
        sample.sources = sources
        sample.pred = sources.mean(0)
        evaluator.process([sample])
    return evaluator.evaluate(len(dataset))


def verdict_table(model: dict, average: dict) -> tuple[str, dict]:
    """Markdown table and dict: per task, the judged metrics of the model and of the average."""
    lines = [
        '| task | metric | average of sources | FusionBox model | model better |',
        '|---|---|---|---|---|',
    ]
    verdict = {}
    for task, metrics in JUDGED_BY.items():
        for metric in metrics:
            key = f'{task}/{metric}'
            if key not in model or key not in average:
                continue
            better = bool(model[key] > average[key])
            verdict[key] = {'average': average[key], 'model': model[key], 'model_better': better}
            lines.append(
                f'| {task} | {metric} | {average[key]:.4f} | {model[key]:.4f} | '
                f'{"yes" if better else "NO"} |'
            )
    return '\n'.join(lines) + '\n', verdict


def run_demo(config: str, out_root: str = 'results', max_iters: int | None = None) -> Path:
    """Run the main job and return the results folder."""
    from fusionbox.apis.runner_setup import build_runner
    from fusionbox.registry import DATASETS
    from fusionbox.utils import register_all_modules

    start = time.time()
    register_all_modules()
    out = Path(out_root) / f'demo-{time.strftime("%Y%m%d-%H%M%S")}'
    out.mkdir(parents=True, exist_ok=False)
    cfg = Config.fromfile(config)
    cfg.work_dir = str(out / 'work')
    cfg.launcher = 'none'
    if max_iters:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='FusedImageSaverHook', out_dir=str(out / 'fused'))
    ]
    cfg.test_evaluator = dict(cfg.test_evaluator, out_dir=str(out / 'tables'))

    _log('1/4 embedded benchmark (generated once, then cached)')
    t0 = time.time()
    for split in ('train', 'val', 'test'):
        dataset = DATASETS.build(getattr(cfg, f'{split}_dataloader').dataset)
        _log(f'    {split}: {len(dataset)} samples')
    _log(f'    ready in {time.time() - t0:.1f} s')

    _log(f'2/4 training {cfg.train_cfg.max_iters} iterations on the CPU')
    torch.set_num_threads(max(1, torch.get_num_threads()))
    runner = build_runner(cfg, 'train')
    t0 = time.time()
    runner.train()
    train_seconds = time.time() - t0
    _log(f'    trained in {train_seconds / 60:.1f} min')

    _log('3/4 testing the trained model')
    model_metrics = runner.test()

    _log('4/4 evaluating the plain average of the sources for comparison')
    average_metrics = evaluate_average(cfg)

    table, verdict = verdict_table(model_metrics, average_metrics)
    summary = {
        'config': config,
        'iterations': cfg.train_cfg.max_iters,
        'train_minutes': train_seconds / 60,
        'total_minutes': (time.time() - start) / 60,
        'model': model_metrics,
        'average_of_sources': average_metrics,
        'verdict': verdict,
    }
    atomic_write_json(out / 'summary.json', summary)
    atomic_write_text(out / 'verdict.md', table)
    _write_average_figure(cfg, out)
    print('\n' + table)
    wins = sum(v['model_better'] for v in verdict.values())
    _log(f'model better than the average on {wins}/{len(verdict)} judged metrics')
    _log(f'done in {(time.time() - start) / 60:.1f} min; results in {out.resolve()}')
    print(json.dumps({'results': str(out.resolve())}))
    return out


def _write_average_figure(cfg: Config, out: Path, per_task: int = 2) -> None:
    """Figure with sources, the plain average and the model's fused image, per task."""
    import mmcv

    from fusionbox.registry import DATASETS
    from fusionbox.visualization import save_comparison_figure

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    examples: dict = {}
    for index in range(len(dataset)):
        item = dataset[index]
        meta = item['data_samples'].metainfo
        task, stem = meta['task'], meta['stem']
        if len(examples.setdefault(task, [])) >= per_task:
            continue
        sources = item['inputs'].float()
        to_u8 = lambda t: np.round(t.clamp(0, 1).numpy() * 255).astype(np.uint8)[0]  # noqa: E731
        fused_path = out / 'fused' / task / f'{stem}.png'
        model_image = mmcv.imread(str(fused_path), channel_order='rgb')
        if model_image.ndim == 3 and (model_image[..., 0] == model_image[..., 1]).all():
            model_image = model_image[..., 0]
        examples[task].append(
            (
                stem,
                list(meta.get('source_names', [])),
                [to_u8(s) for s in sources],
                {'average (Y)': to_u8(sources.mean(0)), 'FusionBox': model_image},
            )
        )
    save_comparison_figure(examples, out / 'comparison_vs_average.png')
