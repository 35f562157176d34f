"""Size, cost and speed of every shipped fusion config at 256 x 256 on this CPU.

Usage: ``python benchmarks/model_core.py [--folders allinone,fusionfm,mmaif,autoencoder]
[--size 256] [--repeats 3] [--threads N] [--out work_dirs/benchmarks/model_core.md]``.

For each config: parameters (all, trainable), FLOPs of one inference of one two-source image at
``size`` x ``size`` (every NFE included; ``torch.utils.flop_counter.FlopCounterMode``, so 2 FLOPs
per multiply-add, convolutions, matmuls and attention), the latency per image (batch 1; the
minimum wall time and the minimum process CPU time over the repeats after a warm-up, or the first
run alone when it takes over ``--slow`` seconds; the machine may be shared, so the load average
is printed and the CPU time is the less noisy figure) and the NFE (backbone evaluations per
image). Autoencoder configs count one encode + decode of both sources. Prints a
Markdown table and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import torch
from mmengine.config import Config
from torch.utils.flop_counter import FlopCounterMode

from fusionbox.registry import MODELS
from fusionbox.structures import FusionSample
from fusionbox.utils import register_all_modules

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ('config', 'params (M)', 'trainable (M)', 'GFLOPs / image', 'NFE', 'latency (ms)',
           'CPU time (ms)')  # fmt: skip


def _batch(size: int) -> dict:
    gen = torch.Generator().manual_seed(0)
    sample = FusionSample(metainfo=dict(task='ivf', stem='bench', prompt='remove the noise'))
    return dict(inputs=[torch.rand(2, 1, size, size, generator=gen)], data_samples=[sample])


def measure(path: Path, size: int, repeats: int, slow: float = 20.0) -> dict:
    """The row of one config (see the module doc)."""
    cfg = Config.fromfile(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # e.g. a frozen autoencoder without its checkpoint
        model = MODELS.build(cfg.model).eval()
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    data = model.data_preprocessor(_batch(size), False)

    def run():
        return model(**data, mode='predict')

    with torch.no_grad():
        t0, c0 = time.perf_counter(), time.process_time()
        out = run()  # warm-up (and the prompt cache of a sentence encoder)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < slow:  # a heavy model is timed by its first run alone
            wall, cpu = float('inf'), float('inf')
            for _ in range(repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                run()
                wall = min(wall, time.perf_counter() - t0)
                cpu = min(cpu, time.process_time() - c0)
        with FlopCounterMode(display=False) as counter:
            run()
    nfe = out[0].metainfo.get('nfe', '-') if hasattr(out[0], 'metainfo') else '-'
    return {
        'config': str(path.relative_to(REPO / 'configs')),
        'params (M)': f'{params / 1e6:.2f}',
        'trainable (M)': f'{trainable / 1e6:.2f}',
        'GFLOPs / image': f'{counter.get_total_flops() / 1e9:.1f}',
        'NFE': str(nfe),
        'latency (ms)': f'{wall * 1e3:.0f}',
        'CPU time (ms)': f'{cpu * 1e3:.0f}',
    }


def markdown(rows: list[dict]) -> str:
    lines = ['| ' + ' | '.join(COLUMNS) + ' |', '|' + '---|' * len(COLUMNS)]
    lines += ['| ' + ' | '.join(row[c] for c in COLUMNS) + ' |' for row in rows]
    return '\n'.join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--folders', default='allinone,fusionfm,mmaif,autoencoder')
    parser.add_argument('--configs', nargs='*', help='config files instead of --folders')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--slow', type=float, default=20.0, help='seconds above which one run is the timing'
    )
    parser.add_argument('--threads', type=int, default=None, help='torch threads (default: all)')
    parser.add_argument('--out', default='work_dirs/benchmarks/model_core.md')
    args = parser.parse_args(argv)
    register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.configs:
        paths = [Path(p).resolve() for p in args.configs]
    else:
        paths = [
            p for f in args.folders.split(',') for p in sorted((REPO / 'configs' / f).glob('*.py'))
        ]
    load = ' '.join(f'{x:.2f}' for x in os.getloadavg())
    header = (
        f'Model core at {args.size} x {args.size}, 2 sources, batch 1, torch '
        f'{torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, '
        f'load average {load} at start.'
    )
    print(header, flush=True)
    rows = []
    for path in paths:
        rows.append(measure(path, args.size, args.repeats, args.slow))
        print('  ' + ', '.join(f'{k}: {v}' for k, v in rows[-1].items()), flush=True)
    table = markdown(rows)
    print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f'{header}\n\n{table}\n')
    print(f'written to {out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
