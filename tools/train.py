"""Train a FusionBox model from a config: ``python tools/train.py CONFIG [--work-dir DIR]``."""

import sys

from fusionbox.apis import build_arg_parser, build_runner, load_config, run_tool
from fusionbox.utils import register_all_modules


def main(argv=None) -> int:
    register_all_modules()
    args = build_arg_parser('train').parse_args(argv)
    cfg = load_config(args, 'train')
    runner = build_runner(cfg, 'train')
    runner.train()
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main, 'tools/train.py'))
