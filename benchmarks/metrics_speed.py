"""Time every metric of each protocol on real 480x640 MSRS pairs from the shared data, in-process
and through ``fusionbox metrics``, optionally beside the public CDDFuse evaluator.

Usage::

    python benchmarks/metrics_speed.py [--pairs 3] [--repeats 5] [--protocols cddfuse,...]
        [--command] [--images 15] [--workers N]
        [--reference-evaluator MMIF-CDDFuse/utils/Evaluator.py]

Prints, per protocol and in milliseconds per pair:

* each metric alone (minimum and median wall and process CPU time over the repeats and pairs,
  after a warm-up; FMI and Qp spread over ``FUSIONBOX_METRIC_THREADS`` threads, so their CPU
  time can exceed the wall time) and the whole protocol through ``evaluate_image`` (min and
  median wall);
* with ``--command``: ``fusionbox metrics --protocol P`` on a folder of N = ``--images`` fused
  images (stand-ins: the rounded mean of each pair) and on one of its first 3, per image with
  start-up excluded: (time for N images - time for 3) / (N - 3) (both runs start the same
  workers, so the start-up cancels), min and median over the repeats, in wall time and in CPU
  time of all its processes (the workers included);
* with ``--reference-evaluator``: the public CDDFuse evaluator (a clone's ``utils/Evaluator.py``,
  imported from where it is, never copied) reading the same pair as it does and computing its
  12 metrics, timed in the same run; and the largest relative difference between its values and
  the ``cddfuse`` protocol's. scikit-image >= 0.20 needs ``data_range`` for float input, so the
  evaluator's ``ssim`` is given ``data_range=2``, the value scikit-image 0.19 (which it was
  written for) takes.

The load average is printed at the start and end: the machine may be shared, and wall times
grow with the other jobs' share of the cores (the CPU column is the steadier figure).
"""

import argparse
import functools
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from fusionbox.evaluation import list_metrics, read_for_protocol
from fusionbox.evaluation.functional import evaluate_image, get_metric
from fusionbox.evaluation.functional.parallel import default_threads
from fusionbox.utils.paths import shared_data_root

CDDFUSE_12 = ('EN', 'SD', 'SF', 'AG', 'MI', 'MSE', 'CC', 'PSNR', 'SCD', 'VIF', 'Qabf', 'SSIM')
#: the public evaluator's method for each cddfuse metric (VIF is its "VIFF")
#: images of the small folder whose time is subtracted in the command timing
SMALL = 3
PUBLIC_NAMES = dict(zip(CDDFUSE_12, CDDFUSE_12[:9] + ('VIFF', 'Qabf', 'SSIM')))


def load() -> str:
    return ' '.join(f'{x:.2f}' for x in os.getloadavg()) + f' ({os.cpu_count()} CPUs)'


def stats(times) -> str:
    return f'min {min(times) * 1e3:.1f} ms, median {np.median(times) * 1e3:.1f} ms'


def protocol_metrics(protocol: str) -> list:
    if protocol == 'cddfuse':
        return list(CDDFUSE_12)
    return [n for n in list_metrics(protocol) if not get_metric(n).spec.needs_gt]


def stand_in(a: Path, b: Path) -> np.ndarray:
    """The rounded mean of two 8-bit images (a grey one repeated to colour), BGR as OpenCV."""
    x, y = (cv2.imread(str(p), cv2.IMREAD_COLOR).astype(np.float32) for p in (a, b))
    return np.round((x + y) / 2).astype(np.uint8)


def in_process(protocol, names, pairs, fused_dir, repeats, threads):
    wall = {n: [] for n in names}
    cpu = {n: [] for n in names}
    whole = []
    for ir, vi in pairs:
        srcs = [read_for_protocol(ir, protocol), read_for_protocol(vi, protocol)]
        fused = read_for_protocol(fused_dir / ir.name, protocol)
        for name in names:
            fn = get_metric(name)
            fn(fused, srcs, protocol=protocol)  # warm-up
            for _ in range(repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                fn(fused, srcs, protocol=protocol)
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0)
        evaluate_image(names, fused, srcs, protocol=protocol, threads=threads)
        for _ in range(repeats):
            t0 = time.perf_counter()
            evaluate_image(names, fused, srcs, protocol=protocol, threads=threads)
            whole.append(time.perf_counter() - t0)
    return wall, cpu, whole


def command_per_image(protocol, root, fused_dir, one_dir, n_images, repeats, workers):
    """(time for n images - time for 3) / (n - 3) of ``fusionbox metrics``, per repeat."""
    exe = [sys.executable, '-m', 'fusionbox.cli.main', 'metrics', '--protocol', protocol]
    exe += ['--source', f'ir={root / "ir"}', '--source', f'vi={root / "vi"}']
    if workers:
        exe += ['--workers', str(workers)]
    per_image, cpu_per_image = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            times, cpus = [], []
            for folder in (fused_dir, one_dir):
                out = Path(tmp) / 'table.csv'
                c0, t0 = children_cpu(), time.perf_counter()
                subprocess.run(
                    exe + ['--fused', str(folder), '-o', str(out), '--overwrite'],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                times.append(time.perf_counter() - t0)
                cpus.append(children_cpu() - c0)
            per_image.append((times[0] - times[1]) / (n_images - SMALL))
            cpu_per_image.append((cpus[0] - cpus[1]) / (n_images - SMALL))
    return per_image, cpu_per_image


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def public_evaluator(path: Path):
    """The public evaluator module imported from ``path`` (SSIM given scikit-image 0.19's
    ``data_range`` for float input)."""
    spec = importlib.util.spec_from_file_location('cddfuse_public_evaluator', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from skimage.metrics import structural_similarity

    module.ssim = functools.partial(structural_similarity, data_range=2.0)
    return module


def run_public(module, ir, vi, fused):
    """Read the pair and the fused image as the evaluator does and compute its 12 metrics."""
    ev = module.Evaluator
    a, b, f = (module.image_read_cv2(str(p), 'GRAY') for p in (ir, vi, fused))
    values = {}
    for name in CDDFUSE_12:
        fn = getattr(ev, PUBLIC_NAMES[name])
        values[name] = float(fn(f) if name in ('EN', 'SD', 'SF', 'AG') else fn(f, a, b))
    return values


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--pairs', type=int, default=3, help='pairs timed in-process')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--protocols', default='cddfuse,standard,tang,vifb,mefb')
    parser.add_argument('--metrics', default=None, help='comma-separated subset')
    parser.add_argument('--threads', type=int, default=None, help='evaluate_image threads')
    parser.add_argument(
        '--command', action='store_true', help='also time `fusionbox metrics` per image'
    )
    parser.add_argument('--images', type=int, default=15, help='images of the command run')
    parser.add_argument('--workers', type=int, default=None, help='`fusionbox metrics --workers`')
    parser.add_argument('--no-per-metric', action='store_true', help='skip the per-metric times')
    parser.add_argument('--reference-evaluator', type=Path, metavar='EVALUATOR_PY')
    args = parser.parse_args(argv)
    if args.threads:
        cv2.setNumThreads(args.threads)  # OpenCV's own pool (OMP_NUM_THREADS does not bound it)
    root = shared_data_root() / 'ivf' / 'MSRS'
    if not root.is_dir():
        print(f'shared data not found at {root} (set FUSIONBOX_SHARED_DATA)', file=sys.stderr)
        return 1
    irs = sorted((root / 'ir').iterdir())
    pairs = [(ir, root / 'vi' / ir.name) for ir in irs]
    if len(pairs) < max(args.pairs, 2) or args.images <= SMALL:
        print(f'need at least 2 pairs and --images > {SMALL}', file=sys.stderr)
        return 1
    module = public_evaluator(args.reference_evaluator) if args.reference_evaluator else None
    print(f'load average at start: {load()}')
    with tempfile.TemporaryDirectory() as tmp:
        fused_dir, one_dir = Path(tmp) / 'fused', Path(tmp) / 'one'
        fused_dir.mkdir()
        one_dir.mkdir()
        for k in range(args.images):
            ir, vi = pairs[k % len(pairs)]
            name = f'{k:03d}_{ir.name}' if k >= len(pairs) else ir.name
            cv2.imwrite(str(fused_dir / name), stand_in(ir, vi))
        for ir, vi in pairs[:SMALL]:
            cv2.imwrite(str(one_dir / ir.name), stand_in(ir, vi))
        for protocol in args.protocols.split(','):
            names = protocol_metrics(protocol)
            if args.metrics:
                names = [n for n in names if n in args.metrics.split(',')]
            shape = 'x'.join(map(str, cv2.imread(str(pairs[0][0])).shape[:2]))
            print(f'\n[{protocol}] {len(names)} metrics, MSRS pairs of {shape}, ms per pair')
            if not args.no_per_metric:
                wall, cpu, whole = in_process(
                    protocol, names, pairs[: args.pairs], fused_dir, args.repeats, args.threads
                )
                print(
                    f'  per metric ({args.repeats} repeats x {args.pairs} pairs, '
                    f'{default_threads()} metric threads: FUSIONBOX_METRIC_THREADS)'
                )
                head = ('wall min', 'wall med', 'cpu min', 'cpu med')
                print(f'  {"metric":<10} ' + ' '.join(f'{h:>9}' for h in head))
                cols = {
                    n: [f(t[n]) * 1e3 for t in (wall, cpu) for f in (min, np.median)] for n in names
                }
                for name in names:
                    print(f'  {name:<10} ' + ' '.join(f'{v:9.2f}' for v in cols[name]))
                total = np.sum([cols[n] for n in names], axis=0)
                print(f'  {"sum":<10} ' + ' '.join(f'{v:9.2f}' for v in total))
                print(
                    f'  in-process, evaluate_image ({args.threads or default_threads()} '
                    f'threads): {stats(whole)} per pair ({len(whole)} runs)'
                )
            if args.command:
                per, per_cpu = command_per_image(
                    protocol, root, fused_dir, one_dir, args.images, args.repeats, args.workers
                )
                print(
                    f'  `fusionbox metrics` per image of a {args.images}-image folder '
                    f'(start-up excluded, workers {args.workers or "default"}): wall {stats(per)}'
                    f'; CPU of all its processes {stats(per_cpu)} ({len(per)} runs)'
                )
            if module is not None and protocol == 'cddfuse':
                times, cpus, worst = [], [], {n: 0.0 for n in names}
                for k in range(args.repeats):
                    ir, vi = pairs[k % args.pairs]
                    t0, c0 = time.perf_counter(), time.process_time()
                    ref = run_public(module, ir, vi, fused_dir / ir.name)
                    times.append(time.perf_counter() - t0)
                    cpus.append(time.process_time() - c0)
                    ours, _ = evaluate_image(
                        names,
                        read_for_protocol(fused_dir / ir.name, protocol),
                        [read_for_protocol(p, protocol) for p in (ir, vi)],
                        protocol=protocol,
                    )
                    for n in names:
                        worst[n] = max(worst[n], abs(ours[n] - ref[n]) / max(abs(ref[n]), 1e-300))
                print(
                    f'  public CDDFuse evaluator (reading included), same run: wall {stats(times)}'
                    f'; CPU {stats(cpus)} per pair ({len(times)} runs)'
                )
                if args.command:
                    print(
                        f'  ratio public / `fusionbox metrics` per image, wall: '
                        f'{np.median(times) / np.median(per):.1f}x (medians), '
                        f'{min(times) / min(per):.1f}x (minima); CPU: '
                        f'{np.median(cpus) / np.median(per_cpu):.1f}x (medians)'
                    )
                print(
                    '  largest relative difference from its values: '
                    + ', '.join(f'{n} {worst[n]:.1e}' for n in names)
                )
    print(f'\nload average at end: {load()}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
