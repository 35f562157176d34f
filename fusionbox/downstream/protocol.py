"""The downstream protocols: train and test an mmdet detector or an mmseg segmenter per input kind.

* ``retrain``: one model per input kind (fused, infrared, visible...), each trained from scratch
  with the same config, seed and schedule on that input's train split and tested on its test
  split;
* ``frozen``: one model trained on the input ``train_on`` and tested, unchanged, on every input.

Every input's result is cached in ``OUT/<input>/result.json`` with the settings that made it; a
rerun skips finished inputs (and refuses a cached result made with other settings). Each Runner
runs inside ``DefaultScope.overwrite_default_scope`` of its config (``mmdet`` / ``mmseg``), so the
process's FusionBox default scope is left as it was.
"""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path
from typing import Callable, Dict, List

from fusionbox.utils.io import atomic_write_json

from .labels import (
    coco_file,
    labelled_stems,
    pair_images,
    read_classes,
    read_coco,
    split_stems,
)

TASKS = ('det', 'seg')
PROTOCOLS = ('retrain', 'frozen')
#: The headline metrics of each task (percent), first columns of every table.
HEADLINE = {'det': ('mAP', 'mAP50'), 'seg': ('mIoU',)}
#: Configs used when none is given (relative to the repository).
DEFAULT_CONFIGS = {
    'det': 'configs/downstream/retinanet_r18-c16-fpn_iter-300_ivf.py',
    'seg': 'configs/downstream/fpn_r18-c16_iter-300_ivf.py',
}
RESULT = 'result.json'


def default_config(task: str) -> Path:
    return Path(__file__).resolve().parents[2] / DEFAULT_CONFIGS[task]


def common_stems(task: str, labels, inputs: Dict[str, str]) -> List[str]:
    """Labelled stems with an image in every input folder (every input is judged on the same
    samples); ValueError when there is none."""
    stems = set(labelled_stems(task, labels))
    for name, folder in inputs.items():
        stems &= set(pair_images(folder, stems, what=f'input {name!r}'))
    if not stems:
        raise ValueError(f'no labelled sample of {labels} has an image in every input folder')
    return sorted(stems)


def metric_values(task: str, raw: Dict[str, float]) -> Dict[str, float]:
    """The toolbox's metric dict -> ``{'mAP', 'mAP50', 'mAP/<class>', 'mAP50/<class>'}`` (det)
    or ``{'mIoU', 'IoU/<class>'}`` (seg), all in percent. A detector that predicted nothing gets
    0 (mmdet then reports no value)."""
    if task == 'seg':
        raw = {k.removeprefix('seg/'): v for k, v in raw.items()}
        return {k: float(v) for k, v in raw.items() if k == 'mIoU' or k.startswith('IoU/')}
    out = {'mAP': 0.0, 'mAP50': 0.0}
    for key, value in raw.items():
        key = key.removeprefix('coco/').removeprefix('bbox_')
        key = {'mAP_50': 'mAP50'}.get(key, key)
        if key in out or key.startswith(('mAP/', 'mAP50/')):
            out[key] = round(float(value) * 100, 2)
    return out


def _set_iters(cfg, iters: int) -> None:
    """``max_iters = iters``; schedulers ending at the old length end at the new one, others
    are clipped to it."""
    old = cfg.train_cfg.max_iters
    cfg.train_cfg.max_iters = iters
    for sched in cfg.get('param_scheduler') or []:
        if sched.get('end') == old or sched.get('end', 0) > iters:
            sched['end'] = iters
        if sched.get('T_max') == old:
            sched['T_max'] = iters
    cfg.default_hooks.checkpoint.interval = iters


def _dataset(cfg, img_dir, labels, stems, classes) -> None:
    cfg.dataset.update(img_dir=str(img_dir), labels=str(labels), stems=list(stems))
    cfg.dataset.metainfo = dict(classes=tuple(classes))


def _build_cfg(task, config, labels, classes, work_dir, seed, iters, name):
    from mmengine.config import Config

    cfg = Config.fromfile(str(config))
    cfg.work_dir, cfg.randomness = str(work_dir), dict(seed=seed)
    cfg.experiment_name = f'{name}-{uuid.uuid4().hex[:6]}'
    cfg.setdefault('log_level', 'WARNING')
    head = cfg.model.bbox_head if task == 'det' else cfg.model.decode_head
    head.num_classes = len(classes)
    if iters is not None:
        _set_iters(cfg, iters)
    return cfg


def _run(cfg, phases: tuple, label: str, progress: bool, checkpoint=None) -> dict:
    """Build one Runner in the config's scope and run ``phases`` ('train', 'test' or both, in
    that order); return ``{'checkpoint': path}`` after training and ``{'metrics': dict}`` after
    testing."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner

    from .progress import ProgressHook

    if checkpoint is not None:
        from fusionbox.utils.checkpoint import install_mmengine_loader

        install_mmengine_loader()  # the Runner loads it through FusionBox's safe loader
        cfg.load_from = str(checkpoint)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    out = {}
    with DefaultScope.overwrite_default_scope(cfg.default_scope), warnings.catch_warnings():
        warnings.filterwarnings('ignore', category=UserWarning, module='mm(det|seg|engine)')
        runner = Runner.from_cfg(cfg)
        runner.register_hook(ProgressHook(label, enabled=progress), priority='VERY_LOW')
        if 'train' in phases:
            runner.train()
            out['checkpoint'] = (Path(cfg.work_dir) / 'last_checkpoint').read_text().strip()
        if 'test' in phases:
            out['metrics'] = runner.test()
    return out


def _without(cfg, phase: str):
    """The config with only ``phase`` (train or test) left."""
    parts = {'train': ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler'),
             'test': ('test_dataloader', 'test_cfg', 'test_evaluator')}  # fmt: skip
    for key in parts['test' if phase == 'train' else 'train']:
        cfg[key] = None
    return cfg


def _test_outputs(cfg, task: str, out: Path) -> None:
    if task == 'det':
        cfg.test_evaluator.outfile_prefix = str(out / 'coco')
    else:
        cfg.test_evaluator.output_dir = str(out / 'pred')


def _cached(path: Path, settings: dict):
    import json

    if not path.is_file():
        return None
    result = json.loads(path.read_text())
    if result.get('settings') != settings:
        raise ValueError(
            f'{path} was made with other settings ({result.get("settings")}); pass --overwrite '
            'or use another output folder'
        )
    return result


def run_downstream(
    task: str,
    labels,
    inputs: Dict[str, str],
    out_dir,
    config=None,
    iters: int | None = None,
    seed: int = 0,
    protocol: str = 'retrain',
    train_on: str | None = None,
    holdout_every: int = 3,
    holdout_offset: int | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> Dict[str, dict]:
    """Train and test per input kind; return ``{input: result}`` (``result['metrics']`` from
    :func:`metric_values`), caching each in ``out_dir/<input>/result.json``.

    Args:
        task: 'det' or 'seg'.
        labels: boxes (det: YOLO folder or COCO JSON) or class maps (seg), with ``classes.txt``.
        inputs: ``{name: image folder}``, e.g. ``{'fused': ..., 'ir': ..., 'vi': ...}``.
        out_dir: the output folder.
        config: an mmdet / mmseg config; None: :data:`DEFAULT_CONFIGS`. Defaults to None.
        iters: training iterations; None: the config's. Defaults to None.
        seed: the seed of every training run. Defaults to 0.
        protocol: 'retrain' or 'frozen'. Defaults to 'retrain'.
        train_on: the input the frozen model trains on; None: the first. Defaults to None.
        holdout_every: without ``train.txt`` / ``test.txt`` beside the labels, every n-th sample
            is a test sample. Defaults to 3.
        holdout_offset: the first test sample of that split (a cross-validation fold); None:
            ``holdout_every // 2``. Defaults to None.
        progress: show progress bars. Defaults to True.
        log: where one-line progress messages go. Defaults to print.
    """
    if task not in TASKS or protocol not in PROTOCOLS:
        raise ValueError(f'task must be one of {TASKS} and protocol one of {PROTOCOLS}')
    train_on = train_on or next(iter(inputs))
    if train_on not in inputs:
        raise ValueError(f'--train-on {train_on!r} is not one of the inputs {list(inputs)}')
    config = Path(config) if config else default_config(task)
    if not config.is_file():
        raise FileNotFoundError(f'config {config} does not exist')
    coco = coco_file(labels) if task == 'det' else None
    classes = read_coco(coco)[0] if coco else read_classes(labels)
    split = split_stems(common_stems(task, labels, inputs), labels, holdout_every, holdout_offset)
    if not split['train'] or not split['test']:
        raise ValueError(f'the split of {labels} leaves no train or no test sample: {split}')
    out_dir = Path(out_dir)
    settings = dict(task=task, config=str(config.resolve()), iters=iters, seed=seed,
                    protocol=protocol, labels=str(Path(labels).resolve()), split=split)  # fmt: skip
    if protocol == 'frozen':
        settings['train_on'] = dict(name=train_on, dir=str(Path(inputs[train_on]).resolve()))
    log(f'{task}: {len(classes)} classes, {len(split["train"])} train / {len(split["test"])} '
        f'test samples, inputs {", ".join(inputs)}, protocol {protocol}')  # fmt: skip

    def cfg_for(name, work_dir):
        return _build_cfg(task, config, labels, classes, work_dir, seed, iters, name)

    checkpoint = None
    if protocol == 'frozen':
        model_dir = out_dir / f'_model-{train_on}'
        done = _cached(model_dir / RESULT, settings)
        if done is None:
            cfg = _without(cfg_for(f'train-{train_on}', model_dir), 'train')
            _dataset(cfg.train_dataloader, inputs[train_on], labels, split['train'], classes)
            ckpt = _run(cfg, ('train',), f'{train_on} (frozen model)', progress)['checkpoint']
            done = dict(settings=settings, checkpoint=ckpt)
            atomic_write_json(model_dir / RESULT, done, overwrite=False)  # none was cached
        checkpoint = done['checkpoint']
    results = {}
    for name, folder in inputs.items():
        out = out_dir / name
        input_settings = dict(settings, input=str(Path(folder).resolve()))
        cached = _cached(out / RESULT, input_settings)
        if cached is not None:
            log(f'{name}: finished earlier, kept')
            results[name] = cached
            continue
        cfg = cfg_for(name, out / 'work')
        _dataset(cfg.test_dataloader, folder, labels, split['test'], classes)
        _test_outputs(cfg, task, out)
        if protocol == 'retrain':
            _dataset(cfg.train_dataloader, folder, labels, split['train'], classes)
            raw = _run(cfg, ('train', 'test'), name, progress)['metrics']
        else:
            raw = _run(_without(cfg, 'test'), ('test',), f'{name} (frozen)', progress, checkpoint)
            raw = raw['metrics']
        images = pair_images(folder, split['test'])
        result = dict(settings=input_settings, metrics=metric_values(task, raw), classes=classes,
                      test_images={s: str(images[s]) for s in split['test']})  # fmt: skip
        atomic_write_json(out / RESULT, result, overwrite=False)  # none was cached
        log(f'{name}: ' + ', '.join(f'{k} {result["metrics"][k]:.2f}' for k in HEADLINE[task]))
        results[name] = result
    return results
