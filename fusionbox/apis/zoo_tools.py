"""Making and checking model-zoo entries (``python tools/zoo.py add | verify | recipe``).

:func:`add_entry` turns a ``tools/train.py`` checkpoint (read by the safe loader) into a zoo
entry: the model's ``state_dict`` as fp32 safetensors ``weights/NAME.safetensors`` (no pickle),
a standalone config ``configs/NAME.py`` holding only what inference needs (``model``,
``test_pipeline``: no ``_base_`` files, no data roots, so it builds on any machine), and the
manifest entry: sha256, parameter count, the objective, the NFE counted by one forward pass, the
tasks, and the recipe (the commands that regenerate the entry). The manifest is rewritten
atomically; an existing entry is replaced only when asked. :func:`verify_entries` checks the
hash of every entry and that it builds and loads. Paths are relative to the manifest's folder.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Callable, List, Sequence

import torch

from fusionbox.utils.errors import ZooError
from fusionbox.utils.io import atomic_write_json, atomic_write_text

from . import zoo
from .zoo_recipe import check_same_model, recipe_commands, repo_relative

#: Zoo names: file-name safe, lower case.
NAME_PATTERN = re.compile(r'^[a-z0-9][a-z0-9._-]*$')
_CONFIG_HEADER = (
    '# FusionBox model zoo: {name}. Standalone inference config (model and test pipeline only)\n'
    '# made by `python tools/zoo.py add` from {source}; train and test with that config.\n'
)


def _load_manifest(path: Path) -> dict:
    """The manifest's JSON (an empty one when the file does not exist yet)."""
    if not path.exists():
        return {'version': 1, 'models': []}
    zoo.list_entries(path)  # validates: ZooError naming the manifest
    return json.loads(path.read_text())


def _checkpoint_meta(checkpoint: Path) -> dict:
    """The ``meta`` of a ``.pth`` checkpoint ({} for safetensors), read by the safe loader."""
    from fusionbox.utils.checkpoint import SAFETENSORS_EXTENSIONS, load_checkpoint_file

    if checkpoint.suffix.lower() in SAFETENSORS_EXTENSIONS:
        return {}
    meta = load_checkpoint_file(checkpoint).get('meta')
    return meta if isinstance(meta, dict) else {}


def describe_objective(model) -> str:
    """One line: ``regression (one pass)`` or ``flow matching (source-anchored), Euler x 4``."""
    from fusionbox.models.objectives import FlowMatching

    objective = model.objective
    if not isinstance(objective, FlowMatching):
        return f'{type(objective).__name__.lower()} (one pass)'
    start = 'source-anchored' if objective.x0_mode == 'sources' else 'from noise'
    steps = objective.num_steps or objective.solver.num_steps
    return f'flow matching ({start}), {type(objective.solver).__name__} x {steps}'


def count_nfe(model, num_sources: int = 2) -> int:
    """Backbone evaluations of one fusion, counted by a forward pass on a tiny input."""
    side = model.data_preprocessor.size_divisor
    sources = torch.full((1, num_sources, 1, side, side), 0.5)  # (B, N, C, H, W)
    with torch.no_grad():
        (sample,) = model(
            dict(sources=sources, task=torch.zeros(1, dtype=torch.long)), None, 'predict'
        )
    return int(sample.nfe)


def standalone_config(cfg, name: str, source) -> str:
    """The text of a config with only what inference needs (``model``, ``test_pipeline``)."""
    from mmengine.config import Config

    from .inferencer import _test_pipeline

    slim = Config(
        dict(
            default_scope=cfg.get('default_scope', 'fusionbox'),
            model=cfg.model.to_dict(),
            test_pipeline=_test_pipeline(cfg),
        )
    )
    return _CONFIG_HEADER.format(name=name, source=source) + slim.pretty_text


def _read_json_dict(path, what: str) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f'{what} file {path} cannot be read: {exc}') from None
    if not isinstance(data, dict):
        raise ValueError(f'{what} file {path}: expected a JSON object')
    return data


def metrics_from_file(path) -> tuple[dict, dict]:
    """``(metrics, speed)`` from a JSON file: ``{"metrics": {...}, "speed": {...}}`` or a flat
    ``{"ivf/Qabf": 0.61, ...}`` of metrics."""
    data = _read_json_dict(path, 'metrics')
    if set(data) <= {'metrics', 'speed'}:
        metrics, speed = data.get('metrics', {}), data.get('speed', {})
    else:
        metrics, speed = data, {}
    for key, value in {**metrics, **speed}.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f'metrics file {path}: {key!r} is not a finite number: {value!r}')
    return metrics, speed


def add_entry(
    name: str,
    config,
    checkpoint,
    manifest=None,
    default: bool = False,
    tasks: Sequence[str] | None = None,
    overwrite: bool = False,
    cfg_options: dict | None = None,
    metrics_file=None,
    log: Callable[[str], None] = print,
) -> dict:
    """Add (or with ``overwrite`` replace) the zoo entry ``name`` made from ``checkpoint``.

    Args:
        name: the entry name (lower case letters, digits, ``.``, ``_``, ``-``).
        config: the training config of the checkpoint.
        checkpoint: a ``tools/train.py`` checkpoint (``.pth``) or a safetensors file.
        manifest: the manifest to update. Defaults to the shipped one.
        default: make it the default model (the others stop being it). Defaults to False.
        tasks: the tasks it fuses. Defaults to all.
        overwrite: replace an existing entry of that name (and its files). Defaults to False.
        cfg_options: merged into the config first (as ``tools/train.py --cfg-options``).
        metrics_file: JSON of measured metrics (and speed), see :func:`metrics_from_file`.
        log: progress messages. Defaults to print.

    Returns:
        The manifest entry written.

    Raises:
        ZooError: a bad name, an existing entry without ``overwrite``, a checkpoint of another
            model; FileNotFoundError / CheckpointError naming a missing or unsafe file.
    """
    from mmengine.config import Config

    from fusionbox.structures import TASKS, task_index
    from fusionbox.utils.checkpoint import save_model_weights

    from .inferencer import build_fuser, load_fuser_config

    if not NAME_PATTERN.match(name):
        raise ZooError(f'zoo name {name!r}: use lower case letters, digits, ".", "_" or "-"')
    manifest = Path(manifest) if manifest is not None else zoo.MANIFEST
    config, checkpoint = Path(config), Path(checkpoint)
    data = _load_manifest(manifest)
    old = next((m for m in data['models'] if m['name'] == name), None)
    if old is not None and not overwrite:
        raise ZooError(f'zoo model {name!r} already exists in {manifest}; pass --overwrite')
    tasks = list(tasks) if tasks else list(TASKS)
    for task in tasks:
        task_index(task)  # ValueError naming the task
    metrics, speed = metrics_from_file(metrics_file) if metrics_file else ({}, {})
    if not checkpoint.is_file():
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    cfg = load_fuser_config(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    meta = _checkpoint_meta(checkpoint)
    check_same_model(cfg, meta, config, checkpoint)
    model = build_fuser(cfg, checkpoint)  # the safe loader; every key must fit

    folder = manifest.resolve().parent
    weights, config_out = (
        folder / 'weights' / f'{name}.safetensors',
        folder / 'configs' / f'{name}.py',
    )
    for path in (weights, config_out):
        if path.exists() and not overwrite:
            raise ZooError(f'{path} exists (not in the manifest); pass --overwrite to replace it')
    state = {k: v.float() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    save_model_weights(state, weights, overwrite=overwrite)  # checked above; also a late file
    text = standalone_config(cfg, name, repo_relative(config))
    atomic_write_text(config_out, text, overwrite=overwrite)
    build_fuser(Config.fromfile(str(config_out)), weights)  # the shipped pair builds and loads

    default = bool(default or (old is not None and old.get('default')))  # a replaced default stays
    add_args = ['--tasks', ','.join(tasks)] if sorted(tasks) != sorted(TASKS) else []
    add_args += ['--default'] * default + ['--overwrite']
    if cfg_options:
        add_args += ['--cfg-options', *(f'{k}={v}' for k, v in cfg_options.items())]
    entry = zoo.make_entry(
        name,
        config_out,
        weights,
        manifest,
        tasks=tasks,
        objective=describe_objective(model),
        nfe=count_nfe(model),
        default=default,
        metrics=metrics,
        speed=speed,
        recipe=recipe_commands(name, cfg, config, meta, add_args),
    )
    if old is not None:
        if old.get('sha256') == entry['sha256'] and not metrics_file:  # same weights: same numbers
            entry['metrics'], entry['speed'] = old.get('metrics', {}), old.get('speed', {})
    models = [m for m in data['models'] if m['name'] != name]
    if entry['default']:
        models = [dict(m, default=False) for m in models]
    index = next((i for i, m in enumerate(data['models']) if m['name'] == name), len(models))
    models.insert(index, entry)
    # the manifest is edited, not replaced: the other entries are kept as read
    atomic_write_json(manifest, dict(data, models=models), overwrite=True)
    for path in (weights, config_out, manifest):
        os.chmod(path, 0o644)  # shipped files: readable by all, like the rest of the package
    zoo.list_entries(manifest)  # what was written reads back
    log(
        f'{"replaced" if old else "added"} zoo model {name!r}: {repo_relative(weights)} '
        f'({entry["params"]} parameters, sha256 {entry["sha256"][:12]}...), NFE {entry["nfe"]}'
        f'{", the default" if entry["default"] else ""}; manifest {manifest}'
    )
    return entry


def verify_entries(manifest=None, log: Callable[[str], None] = print) -> List[str]:
    """Check every entry: files present, sha256 as listed, the config builds, the weights load
    (every key), and the parameter count and NFE are the manifest's. Returns the problems (one
    line each, naming the entry); logs one line per entry."""
    from .inferencer import build_fuser

    problems, entries = [], zoo.list_entries(manifest)
    if not entries:
        log(f'the model zoo {manifest or zoo.MANIFEST} has no entry')
    for entry in entries:
        try:
            zoo.verify_entry(entry)
            model = build_fuser(entry.config, entry.weights)
            found = dict(params=zoo.stored_params(entry.weights), nfe=count_nfe(model))
            for key, value in found.items():
                listed = getattr(entry, key)
                if listed is not None and listed != value:
                    raise ZooError(f'zoo model {entry.name!r}: {key} is {value}, the manifest '
                                   f'says {listed}')  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - every entry is checked; the reason is reported
            problems.append(f'{entry.name}: {str(exc).splitlines()[0]}')
            log(f'FAIL {problems[-1]}')
            continue
        log(f'ok   {entry.name}: sha256 matches, builds and loads ({found["params"]} parameters, '
            f'NFE {found["nfe"]})')  # fmt: skip
    return problems


def recipe_text(name: str, manifest=None) -> str:
    """The commands that regenerate entry ``name`` (ZooError when it has no recipe)."""
    entry = zoo.get_entry(name, manifest)
    recipe = entry.recipe
    if not recipe.get('train') or not recipe.get('add'):
        raise ZooError(
            f'zoo model {name!r} has no recipe in the manifest (add it with tools/zoo.py)'
        )
    lines = [recipe['train'], recipe['add']]
    if recipe.get('not_in_command'):
        lines.insert(0, f'# also differed in training: {", ".join(recipe["not_in_command"])}')
    if recipe.get('checkpoint'):
        lines.insert(0, f'# the checkpoint: {recipe["checkpoint"]}')
    return '\n'.join(lines)
