from .runner_setup import build_arg_parser, build_runner, load_config, prepare_out_dir

__all__ = ['build_arg_parser', 'build_runner', 'load_config', 'prepare_out_dir']
