"""Time every metric of each protocol on real 480x640 MSRS pairs from the shared data.

Usage: ``python benchmarks/metrics_speed.py [--pairs 3] [--repeats 5] [--protocols cddfuse,...]``.
Prints per-metric and total milliseconds per pair: the minimum wall time and the minimum process
CPU time over the repeats and pairs (after a warm-up), and the load average, because the machine
may be shared (the CPU time is the less noisy figure under load). Then the whole protocol as a
user runs it, ``evaluate_image`` (input checks included, the metrics spread over
``--threads`` threads): minimum and median wall time over the repeats and pairs.
"""

import argparse
import os
import sys
import time

import numpy as np

from fusionbox.evaluation import list_metrics, read_for_protocol
from fusionbox.evaluation.functional import evaluate_image, get_metric
from fusionbox.evaluation.functional.parallel import default_threads
from fusionbox.utils.paths import shared_data_root

CDDFUSE_12 = ('EN', 'SD', 'SF', 'AG', 'MI', 'MSE', 'CC', 'PSNR', 'SCD', 'VIF', 'Qabf', 'SSIM')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pairs', type=int, default=3)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--protocols', default='cddfuse,standard,tang,vifb,mefb')
    parser.add_argument('--metrics', default=None, help='comma-separated subset')
    parser.add_argument('--threads', type=int, default=None, help='evaluate_image threads')
    args = parser.parse_args(argv)
    root = shared_data_root() / 'ivf' / 'MSRS'
    if not root.is_dir():
        print(f'shared data not found at {root} (set FUSIONBOX_SHARED_DATA)', file=sys.stderr)
        return 1
    irs = sorted((root / 'ir').iterdir())[: args.pairs]
    print(
        f'load average at start: {" ".join(f"{x:.2f}" for x in os.getloadavg())} '
        f'({os.cpu_count()} CPUs)'
    )
    for protocol in args.protocols.split(','):
        names = (
            CDDFUSE_12
            if protocol == 'cddfuse'
            else [n for n in list_metrics(protocol) if not get_metric(n).spec.needs_gt]
        )
        if args.metrics:
            names = [n for n in names if n in args.metrics.split(',')]
        wall = {n: np.inf for n in names}
        cpu = {n: np.inf for n in names}
        whole = []
        for ir in irs:
            srcs = [
                read_for_protocol(ir, protocol),
                read_for_protocol(root / 'vi' / ir.name, protocol),
            ]
            # a stand-in fused image: the rounded mean of the two sources
            a, b = (s.astype(np.float64) for s in srcs)
            if a.ndim != b.ndim:  # vifb keeps colour: repeat the grey source
                a, b = (x[..., None] if x.ndim == 2 else x for x in (a, b))
            fused = np.round((a + b) / 2).astype(srcs[1].dtype)
            for name in names:
                fn = get_metric(name)
                fn(fused, srcs, protocol=protocol)  # warm-up
                for _ in range(args.repeats):
                    t0, c0 = time.perf_counter(), time.process_time()
                    fn(fused, srcs, protocol=protocol)
                    wall[name] = min(wall[name], time.perf_counter() - t0)
                    cpu[name] = min(cpu[name], time.process_time() - c0)
            evaluate_image(names, fused, srcs, protocol=protocol, threads=args.threads)
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                evaluate_image(names, fused, srcs, protocol=protocol, threads=args.threads)
                whole.append(time.perf_counter() - t0)
        shape = 'x'.join(map(str, srcs[0].shape[:2]))
        print(
            f'\n[{protocol}] {len(irs)} MSRS pairs of {shape}, ms per pair '
            f'(min of {args.repeats} x {len(irs)})'
        )
        print(f'  {"metric":<10} {"wall":>8} {"cpu":>8}')
        for name in names:
            print(f'  {name:<10} {wall[name] * 1e3:8.2f} {cpu[name] * 1e3:8.2f}')
        print(f'  {"total":<10} {sum(wall.values()) * 1e3:8.2f} {sum(cpu.values()) * 1e3:8.2f}')
        print(
            f'  whole protocol (evaluate_image, {len(names)} metrics, '
            f'{args.threads or default_threads()} threads): min {min(whole) * 1e3:.2f} ms, '
            f'median {np.median(whole) * 1e3:.2f} ms per pair ({len(whole)} runs)'
        )
    print(f'\nload average at end: {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
