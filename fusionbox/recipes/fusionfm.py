"""The FusionFM recipe: the pseudo-labels of every real training set of a config, then training.

:func:`run_recipe` (``tools/fusionfm_recipe.py CONFIG``):

1. loads the config as ``tools/train.py`` does (:func:`fusionbox.apis.load_config`:
   ``--cfg-options``, ``--work-dir``, plugins);
2. refuses an evaluation-only set (VIFB) in any training or validation dataset
   (:func:`check_no_evaluation_sets`);
3. makes the pseudo-labels of every real training dataset (:func:`label_datasets`: a
   ``MultiSourceFusionDataset`` without ``pseudo_label_dir`` in ``train_dataloader`` or, for a
   task sequence (``TaskSequenceTrainLoop``), in the loaders of ``train_cfg.stages`` and
   ``train_cfg.evaluations``; one set named by several is labelled once) with
   :mod:`fusionbox.pseudo_labels`
   (priors, selection, refiner; resumable, provenance per sample), for all its samples, the
   held-out ones included (``benchmarks/heldout_tasks.py`` compares with them). Labels are cached in
   ``LABELS_DIR/<task>_<dataset>_<hash>/`` where the hash covers the dataset and the settings
   (config key ``pseudo_labels``): finished labels are reused, changed settings make new ones;
4. points each dataset at its labels (``pseudo_label_dir``) and checks that every sample has
   one (a missing label is an error naming the file);
5. builds the runner and trains (:func:`fusionbox.apis.build_runner`).

With a distributed launcher the labels are not made (every rank would make them): make them first
with ``--only-labels``, then launch; a missing label is then an error.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Callable, Iterator, List, Mapping

#: Layouts that are evaluation sets: never in a training or validation dataset.
EVALUATION_ONLY_LAYOUTS = ('VIFB',)
#: The dataset type the recipe labels (the embedded benchmark, a subclass, keeps its gt).
REAL_TYPE = 'MultiSourceFusionDataset'
#: The dataset keys that decide which images a dataset holds (and so its labels).
DATA_KEYS = (
    'data_root',
    'task',
    'sources',
    'gt',
    'mask',
    'layout',
    'source_names',
    'sample_dirs',
)
#: The per-task keys of the config's ``pseudo_labels`` (``PseudoLabelPipeline`` arguments).
SETTING_KEYS = ('priors', 'results', 'selector', 'refiner')
#: The config sections that train or choose a model (VIFB may appear only in test ones).
TRAIN_AND_VAL_KEYS = ('train_dataloader', 'val_dataloader', 'train_cfg', 'model')


def _plain(obj):
    """A config value as plain JSON types (ConfigDict -> dict, tuple -> list)."""
    return json.loads(json.dumps(obj))


def iter_dataset_cfgs(node) -> Iterator[Mapping]:
    """Every dataset config in ``node`` (a dataset config or a list of them), wrappers
    (``ConcatDataset.datasets``, ``RepeatDataset.dataset``) and their members alike."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from iter_dataset_cfgs(item)
    elif isinstance(node, Mapping):
        yield node
        yield from iter_dataset_cfgs(node.get('datasets'))
        yield from iter_dataset_cfgs(node.get('dataset'))


def _evaluation_refs(node, where: str) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _evaluation_refs(value, f'{where}.{key}')
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _evaluation_refs(value, f'{where}.{i}')
    elif isinstance(node, str) and set(Path(node).parts) & set(EVALUATION_ONLY_LAYOUTS):
        yield f'{where} = {node!r}'


def check_no_evaluation_sets(cfg) -> None:
    """Raise ValueError, naming the key, when a training or validation section of ``cfg``
    (:data:`TRAIN_AND_VAL_KEYS`) names an evaluation-only set: a layout of
    :data:`EVALUATION_ONLY_LAYOUTS` or a path with such a folder (``.../ivf/VIFB``)."""
    found = [ref for key in TRAIN_AND_VAL_KEYS for ref in _evaluation_refs(cfg.get(key), key)]
    if found:
        raise ValueError(
            f'{", ".join(EVALUATION_ONLY_LAYOUTS)} is an evaluation set: never train, validate '
            f'or choose checkpoints on it; found {"; ".join(found)}'
        )


def _train_loader_cfgs(cfg) -> Iterator[Mapping]:
    """``train_dataloader``, then those of a task-sequence loop: each of
    ``train_cfg.stages[*].dataloader`` and ``train_cfg.evaluations[*].dataloader``."""
    yield cfg.get('train_dataloader') or {}
    train_cfg = cfg.get('train_cfg') or {}
    for stage in train_cfg.get('stages') or ():
        yield stage.get('dataloader') or {}
    for evaluation in (train_cfg.get('evaluations') or {}).values():
        yield evaluation.get('dataloader') or {}


def label_datasets(cfg) -> List[Mapping]:
    """The real datasets of ``cfg``'s training loaders (:func:`_train_loader_cfgs`: the
    ``train_dataloader`` and, for a task-sequence loop, its stages' and evaluations' loaders)
    that want pseudo-labels: type :data:`REAL_TYPE` and no ``pseudo_label_dir`` yet (the
    configs, to be edited in place)."""
    return [
        d
        for loader in _train_loader_cfgs(cfg)
        for d in iter_dataset_cfgs(loader.get('dataset'))
        if d.get('type') == REAL_TYPE and d.get('pseudo_label_dir') is None
    ]


def label_settings(cfg, task: str) -> dict:
    """The ``PseudoLabelPipeline`` arguments of ``task``: the config's
    ``pseudo_labels[task]`` (keys :data:`SETTING_KEYS`; absent ones take the defaults)."""
    from fusionbox.tasks import task_names

    section = _plain(cfg.get('pseudo_labels') or {})
    unknown = sorted(set(section) - set(task_names()))
    if unknown:
        raise KeyError(
            f'pseudo_labels has unknown task(s) {unknown}; expected {", ".join(task_names())}'
        )
    own = section.get(task) or {}
    bad = sorted(set(own) - set(SETTING_KEYS))
    if bad:
        raise KeyError(f'pseudo_labels.{task} has unknown key(s) {bad}; expected {SETTING_KEYS}')
    return dict(task=task, **{k: own.get(k) for k in SETTING_KEYS})


def _dataset_identity(ds: Mapping) -> dict:
    data = {k: _plain(ds[k]) for k in DATA_KEYS if ds.get(k) is not None}
    if 'data_root' not in data:
        raise ValueError(f'a {REAL_TYPE} config lacks data_root: {dict(ds)}')
    data['data_root'] = str(Path(data['data_root']).expanduser().resolve())
    return data


def labels_folder(labels_dir, data: dict, settings: dict) -> Path:
    """``labels_dir/<task>_<layout or folder name>_<hash>``, the hash of the dataset identity,
    the label settings and the FusionBox version."""
    from fusionbox.version import __version__

    key = json.dumps(dict(data=data, settings=settings, version=__version__), sort_keys=True)
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    name = data.get('layout') or Path(data['data_root']).name
    return Path(labels_dir).expanduser().resolve() / f'{settings["task"]}_{name}_{digest}'


def check_labels(samples: List[dict], folder: Path, what: str) -> None:
    """Raise FileNotFoundError naming the first sample whose label file is missing."""
    from fusionbox.pseudo_labels.pipeline import output_paths

    for sample in samples:
        path = output_paths(folder, sample['stem'])['label']
        if not path.is_file():
            raise FileNotFoundError(
                f'pseudo-label {path} of sample {sample["stem"]!r} ({what}) is missing; run '
                'tools/fusionfm_recipe.py with --only-labels (without a distributed launcher)'
            )


def make_pseudo_labels(
    cfg,
    labels_dir,
    workers: int = 1,
    make: bool = True,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> List[dict]:
    """Make (``make=True``) or find the pseudo-labels of every dataset of
    :func:`label_datasets`, point it at them (``pseudo_label_dir``, edited in ``cfg``) and
    check them. Returns one record per dataset: ``name, task, folder, samples, made,
    reused``."""
    from fusionbox.pseudo_labels import list_samples, run_pipeline, write_report
    from fusionbox.pseudo_labels.pipeline import is_finished
    from fusionbox.utils.io import atomic_write_json

    # a set named by several loaders (the stages and evaluations of a task sequence) is labelled
    # once: datasets with the same images share a folder
    unique: dict[str, List[Mapping]] = {}
    for ds in label_datasets(cfg):
        key = json.dumps(_dataset_identity(ds), sort_keys=True)
        unique.setdefault(key, []).append(ds)
    records = []
    for i, same in enumerate(unique.values(), 1):
        data = _dataset_identity(same[0])
        samples = list_samples(dataset=data)
        task = samples[0]['task']
        settings = label_settings(cfg, task)
        folder = labels_folder(labels_dir, data, settings)
        name = folder.name.rsplit('_', 1)[0]
        reused = [s for s in samples if is_finished(folder, s['stem'])]
        log(
            f'[{i}/{len(unique)}] pseudo-labels {name}: {len(samples)} samples, '
            f'{len(reused)} finished, {len(samples) - len(reused)} to make -> {folder}'
        )
        made = []
        if make and len(reused) < len(samples):
            # rewritten by every resumed run: the folder's name is the hash of these settings
            atomic_write_json(
                folder / 'settings.json', dict(data=data, settings=settings), overwrite=True
            )
            outcome = run_pipeline(
                samples, folder, settings, workers=workers, resume=True, progress=progress
            )
            made = outcome['done']
            for task_summary in write_report(folder).values():
                picks = ', '.join(f'{k} {v}' for k, v in task_summary['picks'].items())
                log(
                    f'    picks: {picks}; refinement improved '
                    f"{task_summary['refined_improved']}/{task_summary['samples']}"
                )
        check_labels(samples, folder, name)
        for ds in same:
            ds['pseudo_label_dir'] = str(folder / 'labels')
        records.append(
            dict(
                name=name,
                task=task,
                folder=str(folder),
                samples=len(samples),
                made=len(made),
                reused=len(reused),
            )
        )
    return records


def check_target(cfg) -> None:
    """The recipe trains on pseudo-labels: the model's objective must read them."""
    model = cfg.get('model') or {}
    keys = {(model.get('objective') or {}).get('target_key'), model.get('target_fallback')}
    if 'pseudo_label' not in keys:
        raise ValueError(
            'the FusionFM recipe trains on pseudo-labels, but neither model.objective.target_key '
            f"nor model.target_fallback is 'pseudo_label' (got {sorted(map(str, keys))})"
        )


def build_parser():
    """``tools/train.py``'s command line plus the recipe's options."""
    from fusionbox.apis import build_arg_parser

    parser = build_arg_parser('train')
    parser.description = (
        'FusionFM recipe: make the pseudo-labels of every real training set of CONFIG '
        '(cached, resumable), point the datasets at them, train.'
    )
    parser.add_argument(
        '--labels-dir',
        default='work_dirs/pseudo_labels',
        help='cache folder of the pseudo-labels (default: work_dirs/pseudo_labels)',
    )
    parser.add_argument(
        '--workers', type=int, default=1, help='pseudo-label worker processes (default 1)'
    )
    parser.add_argument(
        '--only-labels', action='store_true', help='make the pseudo-labels and stop'
    )
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bars')
    return parser


def run_recipe(argv=None, log: Callable[[str], None] = print) -> int:
    """Run the recipe with the command line ``argv`` (see :func:`build_parser`)."""
    from fusionbox.apis import build_runner, load_config
    from fusionbox.utils import register_all_modules

    register_all_modules()
    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args, 'train')
        check_no_evaluation_sets(cfg)
        check_target(cfg)
        records = make_pseudo_labels(
            cfg,
            args.labels_dir,
            workers=args.workers,
            make=args.launcher == 'none',
            progress=not args.no_progress,
            log=log,
        )
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f'fusionfm recipe: error: {exc}', file=sys.stderr)
        return 1
    made = sum(r['made'] for r in records)
    total = sum(r['samples'] for r in records)
    log(f'pseudo-labels ready: {total} samples in {len(records)} datasets ({made} made now)')
    if args.only_labels:
        return 0
    runner = build_runner(cfg, 'train')
    runner.train()
    return 0
