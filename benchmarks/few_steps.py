"""Few-step sampling of a flow-matching model on held-out real images: PSNR to the pseudo-label by
the number of sampling steps.

FusionFM's claim is that the transport from the sources to the fused image is straight enough
for a few Euler steps. On the held-out stems of a real-data config's training sets (the stems
``benchmarks/heldout_tasks.py`` scores), the model fuses every sample at each step count; the
PSNR (dB, 8-bit images as written, every channel) of each result to the refined pseudo-label of the
sample (the recipe's label cache) is averaged per task and over all samples, and each step count
is compared with the most steps asked for.

Usage::

    python benchmarks/few_steps.py --model [NAME=]CONFIG:CHECKPOINT|ZOO_NAME [--model ...]
        [--steps 1,2,4,32] [--compare 2] [--config CONFIG] [--labels-dir DIR] [--limit N]
        [--out FILE.md [--overwrite]]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import numpy as np
from heldout_tasks import DEFAULT_CONFIG, heldout_sets, label_images  # benchmarks/ on sys.path


def step_psnr(model: str, heldouts: List[dict], labels_dir, steps: List[int]) -> Dict:
    """``{task: {k: [psnr per sample]}}`` of one model over every held-out set."""
    from fusionbox.apis import FusionInferencer
    from fusionbox.evaluation.functional import compute_metrics
    from fusionbox.utils.image_io import read_image, to_uint8

    config, sep, checkpoint = model.partition(':')
    inferencer = FusionInferencer(
        model=config, checkpoint=checkpoint if sep else None, device='cpu'
    )
    out: Dict[str, Dict[int, List[float]]] = defaultdict(lambda: defaultdict(list))
    for held in heldouts:
        labels = label_images(held, labels_dir)['refined']
        for sample in held['samples']:
            label = to_uint8(read_image(labels[sample['stem']]))  # (H, W, C) as written
            for k in steps:
                (fused,) = inferencer([list(sample['source_paths'])], task=held['task'], steps=k)
                fused = to_uint8(fused).reshape(label.shape)  # the 8-bit image fuse writes
                value = compute_metrics(['PSNR_ref'], fused, [label], label)['PSNR_ref']
                out[held['task']][k].append(value)
        print(f'  {held["task"]} {held["name"]}: {len(held["samples"])} samples', flush=True)
    return out


def to_markdown(results: Dict[str, Dict], steps: List[int], compare: int, command: str) -> str:
    lines = [
        '# Few-step sampling on held-out real images',
        '',
        'PSNR (dB) to the refined pseudo-label, mean over the held-out samples; the last column '
        f'is the {compare}-step result minus the {max(steps)}-step one.',
        '',
        f'Command: `{command}`',
        '',
        '| model | task | samples | ' + ' | '.join(f'{k} steps' for k in steps) + ' | '
        f'{compare} - {max(steps)} |',
        '|---|---|---|' + '---|' * (len(steps) + 1),
    ]
    for name, per_task in results.items():
        everything: Dict[int, List[float]] = defaultdict(list)
        for by_k in per_task.values():
            for k in steps:
                everything[k] += by_k[k]
        for task, by_k in [*sorted(per_task.items()), ('all', everything)]:
            means = {k: float(np.mean(by_k[k])) for k in steps}
            cells = ' | '.join(f'{means[k]:.2f}' for k in steps)
            gap = means[compare] - means[max(steps)]
            lines.append(f'| {name} | {task} | {len(by_k[steps[0]])} | {cells} | {gap:+.2f} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    from mmengine.config import Config

    from fusionbox.utils.paths import shared_data_root

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument('--model', action='append', required=True, metavar='[NAME=]MODEL')
    parser.add_argument('--steps', default='1,2,4,32', help='comma-separated step counts')
    parser.add_argument('--compare', type=int, default=2, help='steps set against the most')
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='the real-data config')
    parser.add_argument('--labels-dir', default='work_dirs/pseudo_labels')
    parser.add_argument('--tasks', default='ivf,mif,mef,mff')
    parser.add_argument('--limit', type=int, help='first N held-out samples of every set')
    parser.add_argument('--out', help='also write the table to this markdown file')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    if args.out and Path(args.out).exists() and not args.overwrite:  # before the work
        parser.error(f'--out {args.out} exists; pass --overwrite to replace it')
    try:
        steps = sorted({int(k) for k in args.steps.split(',') if k.strip()})
    except ValueError:
        parser.error(f'--steps: comma-separated integers, got {args.steps!r}')
    if not steps or steps[0] < 1:
        parser.error(f'--steps: step counts >= 1, got {args.steps!r}')
    if args.compare not in steps:
        parser.error(f'--compare {args.compare} is not one of --steps {args.steps}')
    if not shared_data_root().is_dir():
        print(f'shared real data not found at {shared_data_root()}', file=sys.stderr)
        return 1
    tasks = [t.strip() for t in args.tasks.split(',') if t.strip()]
    heldouts = heldout_sets(Config.fromfile(args.config), tasks, args.limit)
    results = {}
    for spec in args.model:
        name, sep, model = spec.partition('=')
        name, model = (name, model) if sep else (Path(spec.partition(':')[0]).stem, spec)
        print(f'{name}:', flush=True)
        results[name] = step_psnr(model, heldouts, args.labels_dir, steps)
    command = 'python benchmarks/few_steps.py ' + shlex.join(sys.argv[1:] if argv is None else argv)
    text = to_markdown(results, steps, args.compare, command)
    if args.out:
        from fusionbox.utils.io import atomic_write_text

        atomic_write_text(args.out, text, overwrite=args.overwrite)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
