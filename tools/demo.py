"""The main job: ``python tools/demo.py [--config CFG] [--iters N] [--out-root results]``."""

import argparse
import sys

from fusionbox.apis.demo import run_demo

DEFAULT_CONFIG = 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument(
        '--iters', type=int, default=None, help="training iterations (default: the config's)"
    )
    parser.add_argument('--out-root', default='results')
    args = parser.parse_args(argv)
    run_demo(args.config, args.out_root, args.iters)
    return 0


if __name__ == '__main__':
    sys.exit(main())
