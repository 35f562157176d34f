"""The recipe of a zoo entry: the commands that regenerate it, read from its checkpoint.

MMEngine stores the text of the training config in every checkpoint (``meta['cfg']``). Compared
with the config file it gives the ``--cfg-options`` the run was trained with
(:func:`training_overrides`), so :func:`recipe_commands` can write the training command exactly,
and :func:`check_same_model` can refuse a checkpoint of another model than the config builds.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import List, Sequence

from fusionbox.utils.errors import ZooError

#: The repository root (recipes name configs and tools relative to it).
REPO = Path(__file__).resolve().parents[2]
#: Where a recipe's training run writes its checkpoints.
RECIPE_WORK_DIR = 'work_dirs/zoo'


def repo_relative(path: Path, root: Path = REPO) -> str:
    """``path`` relative to the repository root (where commands run), else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check_same_model(cfg, meta: dict, config: Path, checkpoint: Path) -> None:
    """Refuse a checkpoint trained with another ``model`` than ``config`` builds."""
    from mmengine.config import Config

    text = meta.get('cfg')
    if not isinstance(text, str):
        return
    try:
        trained = Config.fromstring(text, '.py').get('model')
    except Exception:  # noqa: BLE001 - an unreadable training config: nothing to compare with
        return
    if trained is None:
        return
    keys = [k for k, _ in _leaf_diff(_plain(trained.to_dict()), _plain(cfg.model.to_dict()))]
    keys += [k for k, _ in _leaf_diff(_plain(cfg.model.to_dict()), _plain(trained.to_dict()))]
    if keys:
        raise ZooError(
            f'checkpoint {checkpoint} was trained with another model than {config} builds '
            f'(model keys differ: {", ".join(sorted(set(keys))[:5])}); pass the training config, '
            'or the same --cfg-options as in training'
        )


#: Config keys a training run sets that are not part of its recipe.
RUN_KEYS = ('work_dir', 'launcher', 'load_from', 'resume')


def training_overrides(config_cfg, trained_text: str) -> tuple[List[str], List[str]]:
    """``(['key=value', ...], [keys])``: the ``--cfg-options`` that turn ``config_cfg`` into the
    config a checkpoint was trained with (its meta ``cfg`` text), and the keys that differ in a
    way ``--cfg-options`` cannot say (lists of dicts, e.g. datasets the recipe filled in)."""
    from mmengine.config import Config

    trained = _plain(Config.fromstring(trained_text, '.py').to_dict())
    options, other = [], []
    for key, value in _leaf_diff(trained, _plain(config_cfg.to_dict())):
        if key.split('.')[0] in RUN_KEYS:
            continue
        if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            other.append(key)
        else:
            options.append(f'{key}={_option_value(value)}')
    return options, other


def _plain(cfg: dict):
    return json.loads(json.dumps(cfg, default=str))  # tuples -> lists, as a dumped config reads


def _leaf_diff(a, b, prefix: str = '') -> list:
    """``[(key, value in a)]`` where ``a`` differs from ``b``, recursing into dicts."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key in a:
                out += _leaf_diff(a[key], b.get(key, _MISSING), f'{prefix}{key}.')
        return out
    return [] if a == b else [(prefix[:-1], a)]


_MISSING = object()


def _trained_max_iters(trained_text: str) -> int | None:
    from mmengine.config import Config

    value = (Config.fromstring(trained_text, '.py').get('train_cfg') or {}).get('max_iters')
    return value if isinstance(value, int) else None


def _option_value(value) -> str:
    if isinstance(value, list):
        return '[' + ','.join(_option_value(v) for v in value) + ']'
    return str(value)


def recipe_commands(name: str, cfg, config: Path, meta: dict, add_args: Sequence[str]) -> dict:
    """The commands that regenerate an entry: train the config (with the options the checkpoint
    was trained with), then add the checkpoint."""
    source = repo_relative(config)
    work_dir = f'{RECIPE_WORK_DIR}/{name}'
    tool = 'tools/fusionfm_recipe.py' if 'pseudo_labels' in cfg else 'tools/train.py'
    train = ['python', tool, source, '--work-dir', work_dir]
    recipe, iteration = {}, meta.get('iter')
    if isinstance(meta.get('cfg'), str):
        options, other = training_overrides(cfg, meta['cfg'])
        max_iters = _trained_max_iters(meta['cfg'])
        if iteration and max_iters and iteration < max_iters:  # an intermediate checkpoint
            options.append('default_hooks.checkpoint.max_keep_ckpts=-1')  # keep it
            recipe['checkpoint'] = f'iteration {iteration} of a {max_iters}-iteration run'
        train += ['--cfg-options', *options] if options else []
        if tool == 'tools/fusionfm_recipe.py':  # the recipe itself points the datasets at labels
            other = [key for key in other if not key.endswith('dataset.datasets')]
        if other:
            recipe['not_in_command'] = other
    checkpoint = f'{work_dir}/iter_{iteration}.pth' if iteration else f'{work_dir}/CHECKPOINT.pth'
    add = ['python', 'tools/zoo.py', 'add', name, '--config', source, '--checkpoint', checkpoint]
    recipe.update(train=shlex.join(train), add=shlex.join([*add, *add_args]))
    if iteration:
        recipe['iterations'] = int(iteration)
    if meta.get('seed') is not None:
        recipe['seed'] = int(meta['seed'])
    return recipe
