"""``fusionbox export --format onnx``: a fuser for one task as an ONNX graph.

    fusionbox export --format onnx --task T [--model NAME | --config CFG --checkpoint CKPT]
        [--num-sources N] [--steps N] [--solver Euler|Heun|Midpoint|RK4] [--prompt TEXT]
        [--size H W] [--no-check] [--overwrite] -o OUT.onnx

The graph takes the source lumas ``sources`` (1, N, 1, H, W) float32 in [0, 1] and returns the
fused luma ``fused`` (1, 1, H, W); H and W are dynamic unless ``--size`` fixes them. A flow model's
sampling loop is unrolled with its configured (or ``--steps``) steps. Colour stays outside: feed
each source's Y (BT.601 YCbCr) and recompose the fused Y with the colour sources' Cb/Cr. The
export is checked against PyTorch with onnxruntime (max |difference| on an odd size) unless
``--no-check``. See :mod:`fusionbox.apis.export`.
"""

from __future__ import annotations

import argparse
import sys

PROG = 'fusionbox export'


def register(subparsers) -> argparse.ArgumentParser:
    from fusionbox.apis.export import FORMATS

    p = subparsers.add_parser(
        'export', help='export a model to ONNX (one task, source lumas in)', description=__doc__
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.error = lambda message: p.exit(2, f'{PROG}: error: {message}\n')
    p.add_argument('--format', required=True, choices=FORMATS, help='export format')
    p.add_argument('--task', required=True, help='fusion task baked in: ivf, mif, mef or mff')
    p.add_argument('--model', metavar='NAME', help='a zoo model (default: the zoo default)')
    p.add_argument('--config', metavar='CFG', help='a model config (with --checkpoint)')
    p.add_argument('--checkpoint', metavar='CKPT', help='weights for --config (.pth, .safetensors)')
    p.add_argument('--num-sources', type=int, default=2, metavar='N', help='sources (default 2)')
    p.add_argument('--steps', type=int, metavar='N', help='sampling steps (flow models)')
    p.add_argument('--solver', metavar='NAME', help='fixed-step solver (flow models): Euler, Heun')
    p.add_argument('--prompt', default='', metavar='TEXT', help='prompt baked in (text models)')
    p.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'), help='fixed input size')
    p.add_argument('--no-check', action='store_true', help='skip the onnxruntime comparison')
    p.add_argument('--overwrite', action='store_true', help='replace an existing output')
    p.add_argument('-o', '--output', required=True, metavar='OUT.onnx', help='the ONNX file')
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from fusionbox.apis.export import export_model

    if args.model and args.config:
        raise ValueError('give --model NAME or --config CFG --checkpoint CKPT, not both')
    if bool(args.config) != bool(args.checkpoint):
        raise ValueError('--config and --checkpoint go together')
    if not args.output.endswith('.onnx'):
        raise ValueError(f'-o {args.output}: give a .onnx file')
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ValueError(
            f'ONNX export needs {exc.name}: pip install -r requirements/tests.txt '
            '(or pip install "fusionbox[export]")'
        ) from None
    try:
        info = export_model(
            args.config or args.model,
            args.output,
            args.task,
            checkpoint=args.checkpoint,
            num_sources=args.num_sources,
            steps=args.steps,
            solver=args.solver,
            prompt=args.prompt,
            size=tuple(args.size) if args.size else None,
            overwrite=args.overwrite,
            check=not args.no_check,
        )
    except RuntimeError as exc:  # a tracing failure or an unfaithful export: one line
        print(f'{PROG}: error: {str(exc).splitlines()[0]}', file=sys.stderr)
        return 1
    check = (
        'not checked'
        if info['max_abs_diff'] is None
        else f'max |ONNX - PyTorch| {info["max_abs_diff"]:.1e}'
    )
    print(
        f'exported {info["model"]} ({args.task}, {info["num_sources"]} sources, NFE '
        f'{info["nfe"]}, size {info["size"]}) to {info["path"]}; {check}'
    )
    return 0
