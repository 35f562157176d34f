from .inferencer import FusionInferencer, build_fuser, fuse, init_fuser
from .runner_setup import build_arg_parser, build_runner, load_config, prepare_out_dir, run_tool
from .schedule import scale_schedule

__all__ = [
    'FusionInferencer',
    'build_arg_parser',
    'build_fuser',
    'build_runner',
    'fuse',
    'init_fuser',
    'load_config',
    'prepare_out_dir',
    'run_tool',
    'scale_schedule',
]
