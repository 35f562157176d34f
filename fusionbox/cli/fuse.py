"""``fusionbox fuse``: fuse your own images with a zoo model or a trained config.

    fusionbox fuse --task T [--model NAME | --config CFG --checkpoint CKPT]
        [--prompt TEXT | --prompts-from RECORD] [--steps N] [--device D]
        (--source ROLE=DIR ... -o OUTDIR | SRC1 SRC2 [SRC3 ...] -o OUTFILE)
        [--overwrite] [--tile PIXELS] [--max-pixels N]

Folder mode (``--source`` once per source, in model order) pairs the files by stem and writes
``OUTDIR/<stem>.png``; existing outputs are kept (and counted) unless ``--overwrite``; a bad
image is reported by name and the others are still fused; a summary ends the run, and the exit
status is 1 when a sample failed. Single mode fuses SRC1 SRC2 ... into OUTFILE. Without
``--model`` or ``--config`` the zoo's default model is used (``fusionbox models``). The output is
colour when a source is, 16-bit when a source is 16-bit (PNG / TIFF), else 8-bit; files are
written atomically.

Prompts (models with a text encoder): ``--prompt TEXT`` gives every sample the same prompt;
``--prompts-from RECORD`` (a ``fusionbox degrade`` output folder or its ``degradations.json``)
gives each sample the prompt recorded for its degraded sources (the two are refused together).
A sample whose sources are not in the record is an error naming them (in folder mode it is
reported and skipped, as a bad image). The prompt used for each fused image is recorded in
``prompts.json`` (``{file name: prompt}``) beside the outputs, updated by later runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .options import parse_named_folders

PROG = 'fusionbox fuse'
#: The prompt of each fused image, ``{file name: prompt}``, in the output folder.
PROMPTS = 'prompts.json'


class UsageError(ValueError):
    """A bad command line (exit status 2)."""


def _one_line_error(parser: argparse.ArgumentParser, message: str) -> None:
    parser.exit(2, f'{PROG}: error: {message}\n')


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        'fuse', help='fuse your own images (a zoo model or a config)', description=__doc__
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.error = lambda message: _one_line_error(p, message)  # one line, no usage dump
    p.add_argument('--task', required=True, help='fusion task: ivf, mif, mef, mff or a plugin task')
    p.add_argument('--model', metavar='NAME', help='a zoo model (default: the zoo default)')
    p.add_argument('--config', metavar='CFG', help='a model config (with --checkpoint)')
    p.add_argument('--checkpoint', metavar='CKPT', help='weights for --config (.pth, .safetensors)')
    p.add_argument('--prompt', metavar='TEXT', help='restoration prompt (models with text input)')
    p.add_argument(
        '--prompts-from',
        metavar='RECORD',
        help='a prompt per sample from a fusionbox degrade record (its folder or JSON file)',
    )
    p.add_argument('--steps', type=int, metavar='N', help='sampling steps (flow-matching models)')
    p.add_argument('--device', default='cpu', help='torch device (default: cpu)')
    p.add_argument(
        '--source',
        action='append',
        metavar='ROLE=DIR',
        help='a folder of one source, repeated per source in model order (folder mode)',
    )
    p.add_argument('inputs', nargs='*', metavar='SRC', help='source images (single mode)')
    p.add_argument('-o', '--output', required=True, help='OUTDIR (folder mode) or OUTFILE')
    p.add_argument('--overwrite', action='store_true', help='replace existing outputs')
    p.add_argument('--tile', type=int, metavar='PIXELS', help='fuse in overlapping tiles')
    p.add_argument('--max-pixels', type=int, metavar='N', help='largest untiled image (pixels)')
    p.set_defaults(func=run)
    return p


def _check_args(args) -> None:
    from fusionbox.apis.inferencer import MAX_STEPS
    from fusionbox.tasks import PluginTaskNames

    tasks = PluginTaskNames()  # a plugin's task too
    if args.task not in tasks:
        raise UsageError(f'unknown task {args.task!r}; choose from {", ".join(tasks)}')
    if args.prompt is not None and args.prompts_from:
        raise UsageError('give --prompt TEXT or --prompts-from RECORD, not both')
    if args.model and args.config:
        raise UsageError('give --model NAME or --config CFG --checkpoint CKPT, not both')
    if bool(args.config) != bool(args.checkpoint):
        raise UsageError('--config and --checkpoint go together')
    if args.source and args.inputs:
        raise UsageError('give --source ROLE=DIR folders or source files, not both')
    if not args.source and len(args.inputs) < 2:
        raise UsageError('give two or more source files, or --source ROLE=DIR folders')
    if args.source and len(args.source) < 2:
        raise UsageError('folder mode needs two or more --source ROLE=DIR')
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise UsageError(f'--steps must be in [1, {MAX_STEPS}], got {args.steps}')
    if args.max_pixels is not None and args.max_pixels < 1:
        raise UsageError(f'--max-pixels must be positive, got {args.max_pixels}')


def _fuser(args):
    from fusionbox.apis.inferencer import DEFAULT_MAX_PIXELS, FusionInferencer

    model = args.config or args.model
    try:
        return FusionInferencer(
            model,
            args.checkpoint,
            device=args.device,
            tile=args.tile,
            max_pixels=args.max_pixels or DEFAULT_MAX_PIXELS,
        )
    except (OSError, ValueError, KeyError):
        raise
    except Exception as exc:  # a broken config, an unknown device: one line, not a traceback
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        raise ValueError(f'cannot build the model {model or "(zoo default)"}: {exc}') from None


class Prompts:
    """The prompt of each sample (``--prompt`` or ``--prompts-from``) and the record of those
    used, ``prompts.json`` beside the outputs."""

    def __init__(self, args) -> None:
        self.text, self.record, self.by_file, self.used = args.prompt, args.prompts_from, {}, {}
        if self.record:
            from fusionbox.degradations.degraded_real_dataset import read_degrade_record

            for sample in read_degrade_record(self.record):
                for path in sample['source_paths']:
                    self.by_file[Path(path).resolve()] = sample['prompt']

    def given(self) -> bool:
        """Whether prompts are given (and so recorded)."""
        return self.text is not None or bool(self.record)

    def of(self, paths) -> str | None:
        """The prompt of the sample made of ``paths`` (ValueError naming them if not in the
        record, or if its sources have different prompts there)."""
        if not self.record:
            return self.text
        resolved = [Path(p).resolve() for p in paths]
        found = {self.by_file[p] for p in resolved if p in self.by_file}
        names = ', '.join(map(str, paths))
        if not found:
            raise ValueError(f'no prompt for {names}: not in the degradation record {self.record}')
        if len(found) > 1:
            raise ValueError(f'{names} have different prompts in {self.record}')
        return found.pop()

    def write(self, folder: Path) -> None:
        """Add the prompts used to ``folder/prompts.json`` (entries of other images kept)."""
        if not self.used:
            return
        import json

        from fusionbox.utils.io import atomic_write_json

        path = folder / PROMPTS
        table = {}
        if path.exists():
            try:
                table = dict(json.loads(path.read_text()))
            except (ValueError, TypeError) as exc:
                raise ValueError(f'{path} is not a prompt record ({exc}); move it away') from None
        table.update(self.used)
        atomic_write_json(path, dict(sorted(table.items())), overwrite=True)  # updated in place


def _fuse_one(fuser, paths, output: Path, args, prompts: Prompts) -> None:
    from fusionbox.utils.image_io import DEEP_EXTENSIONS, image_info, write_image

    prompt = prompts.of(paths)
    (fused,) = fuser([str(p) for p in paths], args.task, prompt=prompt, steps=args.steps)
    deep = output.suffix.lower() in DEEP_EXTENSIONS and any(image_info(p)[2] > 8 for p in paths)
    write_image(output, fused, bits=16 if deep else 8, overwrite=args.overwrite)
    if prompts.given():
        prompts.used[output.name] = prompt or ''


def _check_prompts(fuser, prompts: Prompts) -> None:
    """Refuse prompts for a model without a text encoder once, not per sample."""
    if (prompts.record or prompts.text) and fuser.model.text_encoder is None:
        option = '--prompts-from' if prompts.record else '--prompt'
        raise UsageError(f'model {fuser.name!r} has no text encoder: it takes no {option}')


def _pairs(specs) -> tuple[dict, list]:
    """``({stem: [path per role]}, [(stem, problem)])`` from ``ROLE=DIR`` specs."""
    from fusionbox.utils.image_io import list_images

    named = parse_named_folders(specs, '--source', 'ROLE', UsageError)
    roles = [(role, Path(folder)) for role, folder in named.items()]
    listed = [(role, folder, list_images(folder, f'source {role!r}')) for role, folder in roles]
    stems = sorted(set().union(*(files for _, _, files in listed)))
    if not stems:
        raise ValueError(f'no image in the source folders {", ".join(str(f) for _, f in roles)}')
    pairs, missing = {}, []
    for stem in stems:
        lacking = [f'{role!r} ({folder})' for role, folder, files in listed if stem not in files]
        if lacking:
            missing.append((stem, f'no partner in source folder {", ".join(lacking)}'))
        else:
            pairs[stem] = [files[stem] for _, _, files in listed]
    return pairs, missing


def _run_folder(args) -> int:
    from tqdm import tqdm

    out_dir = Path(args.output)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f'-o {out_dir} is a file; folder mode writes into a folder')
    prompts = Prompts(args)
    pairs, failed = _pairs(args.source)
    for stem, problem in failed:
        print(f'{PROG}: {stem}: {problem}', file=sys.stderr)
    todo = {s: p for s, p in pairs.items() if args.overwrite or not (out_dir / f'{s}.png').exists()}
    skipped = len(pairs) - len(todo)
    fuser = _fuser(args) if todo else None
    if fuser is not None:
        _check_prompts(fuser, prompts)
    fused, start = 0, time.perf_counter()
    bar = tqdm(todo.items(), desc='fusing', unit='image', file=sys.stderr, disable=None)
    try:
        for stem, paths in bar:  # the bar shows on a terminal only
            try:
                _fuse_one(fuser, paths, out_dir / f'{stem}.png', args, prompts)
                fused += 1
            except (OSError, ValueError, RuntimeError, MemoryError) as exc:
                failed.append((stem, str(exc) or type(exc).__name__))
                tqdm.write(f'{PROG}: {stem}: {exc}', file=sys.stderr)
    finally:  # the prompts of the images written, also when the run is cut short
        prompts.write(out_dir)
    total = fused + skipped + len(failed)
    per_image = (
        f' ({(time.perf_counter() - start) / fused * 1000:.0f} ms per image)' if fused else ''
    )
    print(
        f'fused {fused}{per_image}, kept {skipped} existing (--overwrite replaces them), failed '
        f'{len(failed)} of {total} samples; results in {out_dir}'
    )
    if failed:
        names = ', '.join(stem for stem, _ in failed[:10])
        print(f'{PROG}: error: {len(failed)} sample(s) failed: {names}', file=sys.stderr)
        return 1
    return 0


def run(args) -> int:
    try:
        _check_args(args)
        if args.source:
            return _run_folder(args)
        from fusionbox.utils.image_io import IMAGE_EXTENSIONS

        output = Path(args.output)
        if output.suffix.lower() not in IMAGE_EXTENSIONS:
            raise UsageError(f'-o {output}: give an image file ({", ".join(IMAGE_EXTENSIONS)})')
        if output.exists() and not args.overwrite:
            raise FileExistsError(f'{output} exists; pass --overwrite to replace it')
        for path in args.inputs:
            if not Path(path).is_file():
                raise FileNotFoundError(f'source image {path} does not exist')
        prompts = Prompts(args)
        paths = [Path(p) for p in args.inputs]
        prompts.of(paths)  # a sample not in the record: before the model is built
        fuser = _fuser(args)
        _check_prompts(fuser, prompts)
        _fuse_one(fuser, paths, output, args, prompts)
        prompts.write(output.parent)
        print(f'fused {len(args.inputs)} sources into {output}')
        return 0
    except UsageError as exc:
        print(f'{PROG}: error: {exc}', file=sys.stderr)
        return 2
    except RuntimeError as exc:  # from the model (e.g. out of memory): one line
        if os.environ.get('FUSIONBOX_DEBUG'):
            raise
        print(f'{PROG}: error: {exc}'.splitlines()[0], file=sys.stderr)
        return 1
