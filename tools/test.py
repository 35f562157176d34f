"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--out-dir DIR]``.

Writes the fused images, a comparison figure and the metric tables (JSON, CSV, Markdown).
"""

import os.path as osp
import sys

from fusionbox.apis import (
    build_arg_parser,
    build_runner,
    load_config,
    prepare_out_dir,
    run_tool,
)
from fusionbox.utils import register_all_modules


def main(argv=None) -> int:
    register_all_modules()
    args = build_arg_parser('test').parse_args(argv)
    cfg = load_config(args, 'test')
    out_dir = prepare_out_dir(args.out_dir or osp.join(cfg.work_dir, 'results'), args.overwrite)
    cfg.custom_hooks = [
        h for h in cfg.get('custom_hooks', []) if h['type'] != 'FusedImageSaverHook'
    ]
    cfg.custom_hooks.append(
        dict(
            type='FusedImageSaverHook', out_dir=osp.join(out_dir, 'fused'), overwrite=args.overwrite
        )
    )
    evaluators = (
        cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
    )
    for evaluator in evaluators:
        if evaluator.get('type') == 'FusionMetric':
            evaluator['out_dir'] = out_dir
    runner = build_runner(cfg, 'test')
    metrics = runner.test()
    print(f'results written to {out_dir}')
    for key, value in sorted(metrics.items()):
        print(f'  {key}: {value:.4f}' if isinstance(value, float) else f'  {key}: {value}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main, 'tools/test.py'))
