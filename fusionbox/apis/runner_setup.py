"""What ``tools/train.py`` and ``tools/test.py`` share: arguments, config merging, runner build.

The tools stay thin; this module is where the behaviour lives and is tested.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys
from typing import Callable

from mmengine.config import Config, DictAction

from fusionbox.utils.errors import ConfigError

from .schedule import scale_schedule

#: The top-level config keys MMEngine's ``Runner.from_cfg`` (and FusionBox's runner) read.
RUNNER_KEYS = (
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg',
    'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator',
    'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
    'default_scope', 'randomness', 'experiment_name', 'runner_type', 'custom_imports',
    'model_wrapper_cfg', 'find_unused_parameters', 'compile', 'strategy', 'cfg',
)  # fmt: skip


def check_top_level_keys(cfg: Config, path: str) -> None:
    """Refuse a top-level key that is not one the Runner reads but is one or two letters away
    from one (``trian_cfg``): MMEngine would silently ignore it. Other top-level names (a
    config's own variables: ``tasks``, ``crop_size``...) are left alone."""
    import difflib

    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        close = difflib.get_close_matches(key, RUNNER_KEYS, n=1, cutoff=0.85)
        if close:
            raise ConfigError(
                f'config {path}: unknown top-level key {key!r} (did you mean {close[0]!r}?)'
            )


def build_arg_parser(tool: str) -> argparse.ArgumentParser:
    """The MMEngine-style command line of ``tool`` (``'train'`` or ``'test'``), plugins included."""
    from fusionbox.plugins import get_plugin_manager

    parser = argparse.ArgumentParser(description=f'FusionBox {tool}')
    parser.add_argument('config', help='config file path')
    if tool == 'test':
        parser.add_argument('checkpoint', help='checkpoint file')
        parser.add_argument(
            '--out-dir',
            help='folder for fused images and metric tables ' '(default: <work_dir>/results)',
        )
        parser.add_argument(
            '--overwrite', action='store_true', help='allow writing into a non-empty --out-dir'
        )
    parser.add_argument('--work-dir', help='the folder for logs and checkpoints')
    if tool == 'train':
        parser.add_argument(
            '--resume',
            nargs='?',
            type=str,
            const='auto',
            help='resume from the given checkpoint, or the latest in work-dir',
        )
        parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
        parser.add_argument(
            '--iters',
            type=int,
            help='train N iterations (per stage for a task sequence) with the whole schedule '
            'scaled: warm-up, cosine end, validation and checkpoint intervals',
        )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_iters=10',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (torchrun: pytorch)',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    get_plugin_manager().add_arguments(parser, tool)
    return parser


def load_config(args: argparse.Namespace, tool: str) -> Config:
    """Load ``args.config``, merge the command-line options and let plugins edit the result."""
    from fusionbox.plugins import get_plugin_manager

    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    try:
        cfg = Config.fromfile(args.config)
    except SyntaxError as exc:
        raise ConfigError(f'config file {args.config}: {exc}') from None
    check_top_level_keys(cfg, args.config)
    cfg.launcher = args.launcher
    if tool == 'train' and getattr(args, 'iters', None) is not None:
        scale_schedule(cfg, args.iters)  # before --cfg-options, which override it
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.setdefault('default_scope', 'fusionbox')
    if tool == 'train':
        if getattr(args, 'amp', False):
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        if getattr(args, 'resume', None) == 'auto':
            cfg.resume, cfg.load_from = True, None
        elif getattr(args, 'resume', None):
            cfg.resume, cfg.load_from = True, args.resume
    if tool == 'test':
        cfg.load_from = args.checkpoint
    get_plugin_manager().modify_config(cfg, args, tool)
    return cfg


def build_runner(cfg: Config, tool: str):
    """Build the runner named by ``cfg.runner_type`` (default ``FusionRunner``) and let plugins
    configure it."""
    from fusionbox.plugins import get_plugin_manager
    from fusionbox.registry import RUNNERS

    cfg.setdefault('runner_type', 'FusionRunner')
    runner = RUNNERS.build(cfg)
    get_plugin_manager().configure_runner(runner, cfg, tool)
    return runner


def prepare_out_dir(out_dir: str, overwrite: bool) -> str:
    """Create ``out_dir``; refuse a non-empty one (naming it) unless ``overwrite``."""
    if osp.isdir(out_dir) and os.listdir(out_dir) and not overwrite:
        raise FileExistsError(
            f'output folder {out_dir} is not empty; pass --overwrite or ' 'choose another --out-dir'
        )
    os.makedirs(out_dir, exist_ok=True)
    return out_dir


def run_tool(main: Callable[[], int], tool: str) -> int:
    """Run a tool's ``main``; bad input (a config key, a file, a checkpoint: ``OSError``,
    ``ValueError``, ``KeyError`` and FusionBox's errors, and the ``TypeError`` of a component
    built with a misspelt config key) ends in one line on stderr and exit status 1 instead of a
    traceback, unless ``FUSIONBOX_DEBUG`` is set."""
    try:
        return int(main() or 0)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f'{tool}: error: {type(exc).__name__}: {message}', file=sys.stderr)
        return 1
