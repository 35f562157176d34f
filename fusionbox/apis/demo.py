"""The main job (``make demo``): embedded benchmark -> train -> test -> compare with averaging
and with the model zoo's default model.

Everything a person wants to look at lands in one results folder: the fused test images, a
comparison figure (sources, plain average, trained model, the zoo's default model when the zoo
has one) per task, the metric tables of the model and of the average, and a per-task verdict on
the metrics the task is judged by. The zoo model fuses the test images through
:class:`fusionbox.apis.FusionInferencer`, as ``fusionbox fuse`` does.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config

from fusionbox.tasks import SpecView
from fusionbox.utils.io import atomic_write_json, atomic_write_text

#: What each task is judged by in the demo (reference metrics where the task has a ground
#: truth): a live view of each task spec's ``judged_by`` (:mod:`fusionbox.tasks`).
JUDGED_BY = SpecView('judged_by')


def _log(message: str) -> None:
    print(f'[demo {time.strftime("%H:%M:%S")}] {message}', flush=True)


def evaluate_average(cfg: Config) -> dict:
    """Evaluate the plain average of the sources on the test split with the test evaluator."""
    return evaluate_predictions(cfg, lambda item: item['inputs'].float().mean(0))


def evaluate_predictions(cfg: Config, predict) -> dict:
    """Evaluate ``predict(item) -> fused luma (1, H, W)`` on the test split with the test
    evaluator (``item`` is a dataset item: ``inputs`` (N, 1, H, W), ``data_samples``); an item
    for which ``predict`` returns None is left out."""
    from mmengine.evaluator import Evaluator

    from fusionbox.registry import DATASETS

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    evaluator_cfg = dict(cfg.test_evaluator)
    evaluator_cfg.pop('out_dir', None)
    evaluator = Evaluator(evaluator_cfg)
    count = 0
    for index in range(len(dataset)):
        item = dataset[index]
        pred = predict(item)
        if pred is None:
            continue
        sample = item['data_samples']
        sample.sources = item['inputs'].float()  # (N, 1, H, W)
        sample.pred = pred
        evaluator.process([sample])
        count += 1
    return evaluator.evaluate(count)


def zoo_default_fuser():
    """The zoo's default model as a :class:`~fusionbox.apis.FusionInferencer`, or None (with
    the reason logged) when the zoo has no default or it cannot be loaded."""
    from fusionbox.apis.inferencer import FusionInferencer
    from fusionbox.utils.errors import FusionBoxError

    try:
        return FusionInferencer()
    except (FusionBoxError, OSError) as exc:
        _log(f'    no zoo model beside the trained one: {exc}')
        return None


def fuse_test_split_with(fuser, cfg: Config, out: Path) -> dict:
    """Fuse every test image of the tasks ``fuser`` supports into ``out/<task>/<stem>.png``;
    returns ``{(task, stem): fused image (H, W) or (H, W, 3) float32}``."""
    from fusionbox.registry import DATASETS
    from fusionbox.utils.image_io import write_image

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    fused = {}
    for index in range(len(dataset)):
        meta = dataset[index]['data_samples'].metainfo
        if not fuser.supports(meta['task']):
            continue
        image = fuser(list(meta['source_paths']), meta['task'])[0]
        write_image(out / meta['task'] / f'{meta["stem"]}.png', image)
        fused[meta['task'], meta['stem']] = image
    return fused


def _zoo_pred(fused: dict, item) -> torch.Tensor | None:
    """The luma (1, H, W) of the zoo model's result for a dataset item (None: not fused)."""
    from fusionbox.utils.color import rgb_to_ycbcr

    image = fused.get((item['data_samples'].task, item['data_samples'].stem))
    if image is None:
        return None
    luma = image if image.ndim == 2 else rgb_to_ycbcr(image)[..., 0]
    return torch.from_numpy(np.ascontiguousarray(luma, dtype=np.float32))[None]  # (1, H, W)


def verdict_table(
    model: dict, average: dict, zoo: dict | None = None, zoo_name: str = ''
) -> tuple[str, dict]:
    """Markdown table and dict: per task, the judged metrics of the model and of the average
    (and of the zoo's default model when ``zoo`` is given)."""
    zoo_head = f' zoo: {zoo_name} |' if zoo else ''
    lines = [
        f'| task | metric | average of sources | FusionBox model |{zoo_head} model better |',
        '|---|---|---|---|' + '---|' * bool(zoo) + '---|',
    ]
    verdict = {}
    for task, metrics in JUDGED_BY.items():
        for metric in metrics:
            key = f'{task}/{metric}'
            if key not in model or key not in average:
                continue
            better = bool(model[key] > average[key])
            verdict[key] = {'average': average[key], 'model': model[key], 'model_better': better}
            zoo_cell = ''
            if zoo:
                verdict[key]['zoo'] = zoo.get(key)
                zoo_cell = ' - |' if zoo.get(key) is None else f' {zoo[key]:.4f} |'
            lines.append(
                f'| {task} | {metric} | {average[key]:.4f} | {model[key]:.4f} |{zoo_cell} '
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

    _log('4/4 evaluating the plain average of the sources and the zoo model for comparison')
    average_metrics = evaluate_average(cfg)
    zoo_fuser, zoo_fused, zoo_metrics = zoo_default_fuser(), {}, None
    if zoo_fuser is not None:
        _log(f'    fusing the test images with the zoo model {zoo_fuser.name!r}')
        zoo_fused = fuse_test_split_with(zoo_fuser, cfg, out / 'zoo' / zoo_fuser.name)
        zoo_metrics = evaluate_predictions(
            cfg,
            lambda item: _zoo_pred(zoo_fused, item),
        )

    zoo_name = zoo_fuser.name if zoo_fuser is not None else ''
    table, verdict = verdict_table(model_metrics, average_metrics, zoo_metrics, zoo_name)
    summary = {
        'config': config,
        'iterations': cfg.train_cfg.max_iters,
        'train_minutes': train_seconds / 60,
        'total_minutes': (time.time() - start) / 60,
        'model': model_metrics,
        'average_of_sources': average_metrics,
        'zoo_model': {'name': zoo_name, 'metrics': zoo_metrics} if zoo_metrics else None,
        'verdict': verdict,
    }
    atomic_write_json(out / 'summary.json', summary, overwrite=False)  # a new folder per run
    atomic_write_text(out / 'verdict.md', table, overwrite=False)
    _write_average_figure(cfg, out, zoo_fused=zoo_fused, zoo_name=zoo_name)
    print('\n' + table)
    wins = sum(v['model_better'] for v in verdict.values())
    _log(f'model better than the average on {wins}/{len(verdict)} judged metrics')
    _log(f'done in {(time.time() - start) / 60:.1f} min; results in {out.resolve()}')
    print(json.dumps({'results': str(out.resolve())}))
    return out


def _write_average_figure(
    cfg: Config, out: Path, per_task: int = 2, zoo_fused: dict | None = None, zoo_name: str = ''
) -> None:
    """Figure with sources, the plain average, the model's fused image and the zoo model's
    (when given), per task; colour sources, and the average of a colour sample, in colour."""
    from fusionbox.registry import DATASETS
    from fusionbox.utils.image_io import read_image
    from fusionbox.visualization import save_comparison_figure
    from fusionbox.visualization.compare_methods import PriorMethod, Sample

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    average = PriorMethod('Average', name='average')
    examples: dict = {}
    for index in range(len(dataset)):
        meta = dataset[index]['data_samples'].metainfo
        task, stem = meta['task'], meta['stem']
        if len(examples.setdefault(task, [])) >= per_task:
            continue
        paths = [Path(p) for p in meta['source_paths']]
        sample = Sample(stem, task, list(meta.get('source_names', [])), paths)
        sample.images = [read_image(p) for p in paths]  # as stored: colour stays colour
        panels = {
            'average': average(sample),  # the mean luma with the colour sources' chroma
            'FusionBox': read_image(out / 'fused' / task / f'{stem}.png'),
        }
        if (task, stem) in (zoo_fused or {}):
            panels[f'zoo: {zoo_name}'] = zoo_fused[task, stem]
        examples[task].append((stem, sample.roles, sample.images, panels))
    save_comparison_figure(examples, out / 'comparison_vs_average.png')
