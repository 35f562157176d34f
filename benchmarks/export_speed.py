"""CPU time of an exported (ONNX, onnxruntime) fuser against the same model in PyTorch.

Usage::

    python benchmarks/export_speed.py [--model NAME | --config CFG [--checkpoint CKPT]]
        [--task mef] [--steps N] [--size 480x640] [--threads 2] [--repeats 10]
        [--out FILE.json [--overwrite]]

The model (default: the zoo's default) is exported by :func:`fusionbox.apis.export.export_model`
(checked against PyTorch) to a temporary file; then one fusion of a two-source pair of
``--size`` (the graph's input: source lumas, colour outside) is timed ``--repeats`` times after
a warm-up, with onnxruntime (``--threads`` intra-op threads) and with PyTorch
(``torch.set_num_threads(--threads)``) on the same module, batch 1. Prints (and with ``--out``
writes as JSON) the minimum and the median wall time of each. A config without ``--checkpoint``
is timed with its initial weights (the cost does not depend on them). Time on an idle machine:
the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def parse_size(text: str) -> tuple[int, int]:
    h, _, w = text.lower().partition('x')
    return int(h), int(w)


def time_calls(fn, repeats: int) -> list[float]:
    """Wall seconds of ``repeats`` calls of ``fn`` after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    from fusionbox.apis.export import ExportedFuser, export_model, onnx_session
    from fusionbox.apis.inferencer import FusionInferencer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', help='zoo model (default: the zoo default)')
    parser.add_argument('--config', help='a config instead of a zoo model')
    parser.add_argument('--checkpoint', help='weights for --config')
    parser.add_argument('--task', default='mef')
    parser.add_argument('--steps', type=int, help='sampling steps (flow models)')
    parser.add_argument('--size', default='480x640', help='H x W of the pair')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    if args.out and Path(args.out).exists() and not args.overwrite:  # before the work
        parser.error(f'--out {args.out} exists; pass --overwrite to replace it')
    h, w = parse_size(args.size)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / 'model.onnx'
        info = export_model(args.config or args.model, path, args.task, args.checkpoint,
                            steps=args.steps)  # fmt: skip
        session = onnx_session(path, threads=args.threads)
        torch.set_num_threads(args.threads)
        model = FusionInferencer(args.config or args.model, args.checkpoint).model
        module = ExportedFuser(model, args.task, steps=args.steps)
        rng = np.random.default_rng(0)
        x = rng.random((1, 2, 1, h, w), dtype=np.float32)
        t = torch.from_numpy(x)
        with torch.no_grad():
            timed = {
                'onnxruntime': time_calls(lambda: session.run(None, {'sources': x}), args.repeats),
                'pytorch': time_calls(lambda: module(t), args.repeats),
            }
    result = dict(
        model=info['model'],
        task=args.task,
        nfe=info['nfe'],
        size=f'{h}x{w}',
        threads=args.threads,
        repeats=args.repeats,
        max_abs_diff=info['max_abs_diff'],
        load_before=load,
        load_after=os.getloadavg()[0],
    )
    for name, times in timed.items():
        result[f'{name}_min_ms'] = 1000 * min(times)
        result[f'{name}_median_ms'] = 1000 * statistics.median(times)
        print(f'{name:<12} min {result[f"{name}_min_ms"]:8.1f} ms   median '
              f'{result[f"{name}_median_ms"]:8.1f} ms   ({args.repeats} runs, {h}x{w}, '
              f'{args.threads} threads, NFE {info["nfe"]})')  # fmt: skip
    print(f'load average {result["load_before"]:.2f} before, {result["load_after"]:.2f} after')
    if args.out:
        from fusionbox.utils.io import atomic_write_json

        atomic_write_json(args.out, result, overwrite=args.overwrite)
    return 0


if __name__ == '__main__':
    sys.exit(main())
