"""Time every metric of each protocol on real 480x640 MSRS pairs from the shared data.

Usage: ``python benchmarks/metrics_speed.py [--pairs 3] [--protocols cddfuse,standard]``.
Prints per-metric and total milliseconds per pair (median over the pairs, after a warm-up).
"""
import argparse
import sys
import time

import numpy as np

from fusionbox.evaluation import list_metrics, read_for_protocol
from fusionbox.evaluation.functional import get_metric
from fusionbox.utils.paths import shared_data_root

CDDFUSE_12 = ('EN', 'SD', 'SF', 'AG', 'MI', 'MSE', 'CC', 'PSNR', 'SCD', 'VIF', 'Qabf', 'SSIM')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pairs', type=int, default=3)
    parser.add_argument('--protocols', default='cddfuse,standard,tang,vifb')
    args = parser.parse_args(argv)
    root = shared_data_root() / 'ivf' / 'MSRS'
    if not root.is_dir():
        print(f'shared data not found at {root} (set FUSIONBOX_SHARED_DATA)', file=sys.stderr)
        return 1
    irs = sorted((root / 'ir').iterdir())[:args.pairs]
    for protocol in args.protocols.split(','):
        names = CDDFUSE_12 if protocol == 'cddfuse' else [
            n for n in list_metrics(protocol) if not get_metric(n).spec.needs_gt]
        times = {n: [] for n in names}
        for ir in irs:
            srcs = [read_for_protocol(ir, protocol),
                    read_for_protocol(root / 'vi' / ir.name, protocol)]
            # a stand-in fused image: the rounded mean of the two sources
            a, b = (s.astype(np.float64) for s in srcs)
            if a.ndim != b.ndim:  # vifb keeps colour: repeat the grey source
                a, b = (x[..., None] if x.ndim == 2 else x for x in (a, b))
            fused = np.round((a + b) / 2).astype(srcs[1].dtype)
            for name in names:
                fn = get_metric(name)
                fn(fused, srcs, protocol=protocol)  # warm-up
                t0 = time.perf_counter()
                fn(fused, srcs, protocol=protocol)
                times[name].append(time.perf_counter() - t0)
        shape = 'x'.join(map(str, srcs[0].shape[:2]))
        print(f'\n[{protocol}] {len(irs)} MSRS pairs of {shape}, median ms per pair')
        total = 0.0
        for name in names:
            ms = float(np.median(times[name])) * 1e3
            total += ms
            print(f'  {name:<6} {ms:8.2f}')
        print(f'  {"total":<6} {total:8.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
