"""A survey of bad input at every entry point: each case runs as a user would, in a subprocess.

Usage::

    python benchmarks/bad_input_survey.py [--only fuse,metrics] [--workers 2] [--keep DIR]

Entry points: ``fusionbox fuse``, ``metrics``, ``pseudo-labels``, ``leaderboard``, ``degrade``,
``data check``, ``compare``, ``export``, ``tools/train.py``, ``tools/test.py`` and the Python API.
Inputs (made in a scratch folder): a truncated JPEG, a zero-byte PNG, a text file named ``.png``,
a PNG whose header declares 20000 x 20000 pixels, sizes that differ, a missing partner, empty and
absent folders, NaN arrays, misspelt config keys, unknown registry types, absurd values, corrupt,
code-carrying and foreign checkpoints, an output path under a file.

Each case is classified:

* ``clean``: non-zero exit, no traceback, and stderr names what the case expects (the file,
  key or limit); for folder runs with one bad sample: that sample named, the rest written;
* ``unclear``: non-zero exit without a traceback, but the message does not name the culprit;
* ``aborted``: a folder run that stopped at its bad sample (the rest not written);
* ``traceback``: a Python traceback;
* ``silent``: exit status 0 on bad input (a silently wrong or partial result).

Prints one line per case and the counts; the exit status is 1 when a case is not ``clean``.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / 'configs/allinone/allinone_unet-t_reg_ivf-mif-mef-mff.py'
CLI = [sys.executable, '-m', 'fusionbox.cli.main']
#: A Python API case: the statement runs; FusionBox's errors end in one line, others in a
#: traceback.
API = [
    sys.executable,
    '-c',
    'import sys\n'
    'from fusionbox.utils.errors import FusionBoxError\n'
    'try:\n'
    '    exec(sys.argv[1])\n'
    'except (FusionBoxError, ValueError, OSError, KeyError) as exc:\n'
    '    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc\n'
    "    print(f'error: {type(exc).__name__}: {message}', file=sys.stderr)\n"
    '    sys.exit(1)\n',
]


@dataclass
class Case:
    """One bad input: where it enters, the command, what a clean error names."""

    entry: str
    what: str
    argv: list
    expect: tuple  # substrings of which stderr must contain one
    written: Callable[[], bool] | None = field(default=None)  # folder runs: the rest written


# --- inputs ----------------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


def huge_png(path: Path, side: int = 20000) -> Path:
    """A small PNG whose header declares ``side`` x ``side`` grey pixels (a decompression
    bomb: decoding it would need ``side**2`` bytes)."""
    ihdr = struct.pack('>IIBBBBB', side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b'\x00' * (side + 1) * 16)  # a few rows; the rest missing
    data = b'\x89PNG\r\n\x1a\n' + _png_chunk(b'IHDR', ihdr) + _png_chunk(b'IDAT', rows)
    path.write_bytes(data + _png_chunk(b'IEND', b''))
    return path


def make_inputs(root: Path) -> dict:
    """The scratch files and folders the cases use."""
    rng = np.random.default_rng(0)

    def image(shape):
        return np.uint8(cv2.GaussianBlur(rng.random(shape), (0, 0), 1.5) * 255)

    f = {}
    for name in ('ir', 'vi', 'fused', 'ir_bad', 'vi_bad', 'fused_bad', 'empty', 'gt'):
        (root / name).mkdir(parents=True, exist_ok=True)
        f[name] = root / name
    for stem in ('a', 'b', 'c'):
        for name in ('ir', 'vi', 'fused', 'ir_bad', 'vi_bad', 'fused_bad'):
            cv2.imwrite(str(root / name / f'{stem}.png'), image((64, 64)))
    # one bad sample per "_bad" folder: a truncated JPEG, a text file, a zero-byte file
    jpeg = cv2.imencode('.jpg', image((64, 64)))[1].tobytes()
    (root / 'ir_bad' / 'b.png').unlink()
    (root / 'ir_bad' / 'b.jpg').write_bytes(jpeg[: len(jpeg) // 2])
    (root / 'vi_bad' / 'b.png').write_text('not an image\n')
    (root / 'fused_bad' / 'b.png').write_bytes(b'')
    f['truncated'] = root / 'truncated.jpg'
    f['truncated'].write_bytes(jpeg[: len(jpeg) // 2])
    f['empty_png'] = root / 'empty.png'
    f['empty_png'].write_bytes(b'')
    f['text_png'] = root / 'text.png'
    f['text_png'].write_text('hello\n')
    f['huge'] = huge_png(root / 'huge.png')
    f['good_a'], f['good_b'] = root / 'ir' / 'a.png', root / 'vi' / 'a.png'
    f['small'] = root / 'small.png'
    cv2.imwrite(str(f['small']), image((32, 48)))
    f['onepx'] = root / 'onepx.png'
    cv2.imwrite(str(f['onepx']), image((1, 1)))
    # a folder with a partner missing
    (root / 'vi_missing').mkdir(exist_ok=True)
    cv2.imwrite(str(root / 'vi_missing' / 'a.png'), image((64, 64)))
    f['vi_missing'] = root / 'vi_missing'
    # a folder whose sizes differ from ir's
    (root / 'vi_size').mkdir(exist_ok=True)
    for stem in ('a', 'b', 'c'):
        cv2.imwrite(str(root / 'vi_size' / f'{stem}.png'), image((40, 64)))
    f['vi_size'] = root / 'vi_size'
    f['absent'] = root / 'absent'
    f['file'] = root / 'plain.txt'
    f['file'].write_text('a file where a folder is expected\n')
    # checkpoints: corrupt bytes, one whose unpickling runs a command, one of another model
    import torch

    f['corrupt_ckpt'] = root / 'corrupt.pth'
    f['corrupt_ckpt'].write_bytes(rng.bytes(4096))
    f['marker'] = root / 'code-ran'
    f['evil_ckpt'] = root / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _Evil(str(f['marker']))}, f['evil_ckpt'])
    f['other_ckpt'] = root / 'other.pth'
    torch.save({'state_dict': {'backbone.stem.weight': torch.zeros(3, 3)}}, f['other_ckpt'])
    # configs: a misspelt top-level key, an unknown type, a syntax error
    f['misspelt_cfg'] = root / 'misspelt.py'
    f['misspelt_cfg'].write_text(f'_base_ = [{str(TINY)!r}]\ntrian_cfg = dict(max_iters=2)\n')
    f['unknown_type_cfg'] = root / 'unknown_type.py'
    f['unknown_type_cfg'].write_text(
        f'_base_ = [{str(TINY)!r}]\nmodel = dict(backbone=dict(type="NoSuchBackbone"))\n'
    )
    f['syntax_cfg'] = root / 'syntax.py'
    f['syntax_cfg'].write_text('model = dict(\n')
    f['out'] = root / 'out'
    return f


class _Evil:
    """Unpickling runs ``touch marker`` (what a malicious checkpoint does)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


# --- cases -----------------------------------------------------------------------------------
def cases(f: dict) -> list:
    out = f['out']
    ivf = ['--task', 'ivf']
    src = ['--source', f'ir={f["ir"]}', '--source', f'vi={f["vi"]}']
    train = [sys.executable, 'tools/train.py']
    test = [sys.executable, 'tools/test.py']
    small_train = ['--cfg-options', 'train_cfg.max_iters=1', 'val_cfg=None', 'val_dataloader=None']
    small_train += ['val_evaluator=None', 'train_dataloader.batch_size=1']

    def written(folder, names):
        return lambda: all((Path(folder) / n).is_file() for n in names)

    fuse = [*CLI, 'fuse', *ivf]
    pair = [str(f['good_a']), str(f['good_b'])]
    metrics = [*CLI, 'metrics', *ivf]
    labels = [*CLI, 'pseudo-labels', *ivf]
    board = [*CLI, 'leaderboard', '--dataset', f'x:ivf:ir={f["ir"]},vi={f["vi"]}']
    degrade = [*CLI, 'degrade']
    compare = [*CLI, 'compare', *ivf]
    export = [*CLI, 'export', '--format', 'onnx', *ivf]
    api_read = 'from fusionbox.utils.image_io import read_image\nread_image({!r})'
    api_load = (
        'from fusionbox.utils.checkpoint import load_checkpoint_file\nload_checkpoint_file({!r})'
    )
    api_fuse = (
        'import numpy as np\nfrom fusionbox.apis import FusionInferencer, fuse\n'
        'fuse(FusionInferencer(), [np.full((32, 32), np.nan), np.zeros((32, 32))], "ivf")'
    )
    # colour (H, W, 3) is valid input (converted by the protocol); four channels are not
    api_channels = (
        'import numpy as np\nfrom fusionbox.evaluation.functional import evaluate_image\n'
        'r = np.random.default_rng(0)\nevaluate_image(["Qabf", "AG"], r.random((32, 32, 4)),'
        ' [r.random((32, 32, 4)), r.random((32, 32, 4))], strict=True)'
    )
    api_nan = (
        'import numpy as np\nfrom fusionbox.evaluation.functional import get_metric\n'
        'get_metric("EN")(np.full((8, 8), np.nan), [np.zeros((8, 8))])'
    )
    # fmt: off
    return [
        Case('fuse', 'truncated JPEG source',
             [*fuse, str(f['truncated']), pair[1], '-o', str(out / 'f1.png')], ('truncated.jpg',)),
        Case('fuse', 'zero-byte source',
             [*fuse, str(f['empty_png']), pair[1], '-o', str(out / 'f2.png')], ('empty.png',)),
        Case('fuse', 'text file named .png',
             [*fuse, str(f['text_png']), pair[1], '-o', str(out / 'f3.png')], ('text.png',)),
        Case('fuse', '20000x20000 PNG header',
             [*fuse, str(f['huge']), pair[1], '-o', str(out / 'f4.png')], ('huge.png',)),
        Case('fuse', 'sizes differ',
             [*fuse, str(f['small']), pair[1], '-o', str(out / 'f5.png')], ('small.png',)),
        Case('fuse', 'folder run with a truncated JPEG',
             [*fuse, '--source', f'ir={f["ir_bad"]}', '--source', f'vi={f["vi"]}',
              '-o', str(out / 'fold1')], ('b.jpg',), written(out / 'fold1', ['a.png', 'c.png'])),
        Case('fuse', 'folder run with a missing partner',
             [*fuse, '--source', f'ir={f["ir"]}', '--source', f'vi={f["vi_missing"]}',
              '-o', str(out / 'fold2')], ('b:',), written(out / 'fold2', ['a.png'])),
        Case('fuse', 'empty source folder',
             [*fuse, '--source', f'ir={f["empty"]}', '--source', f'vi={f["vi"]}',
              '-o', str(out / 'fold3')], ('empty',)),
        Case('fuse', 'absent source folder',
             [*fuse, '--source', f'ir={f["absent"]}', '--source', f'vi={f["vi"]}',
              '-o', str(out / 'fold4')], ('absent',)),
        Case('fuse', '--steps -3',
             [*fuse, '--steps', '-3', *pair, '-o', str(out / 'f6.png')], ('--steps',)),
        Case('fuse', '--max-pixels 0',
             [*fuse, '--max-pixels', '0', *pair, '-o', str(out / 'f7.png')], ('--max-pixels',)),
        Case('fuse', 'image above --max-pixels, no tiling',
             [*fuse, '--max-pixels', '100', *pair, '-o', str(out / 'f8.png')], ('100',)),
        Case('fuse', 'unknown task',
             [*CLI, 'fuse', '--task', 'sar', *pair, '-o', str(out / 'f9.png')], ("'sar'",)),
        Case('fuse', 'output under a file',
             [*fuse, *pair, '-o', str(f['file'] / 'x.png')], ('plain.txt',)),
        Case('fuse', 'code-carrying checkpoint',
             [*fuse, '--config', str(TINY), '--checkpoint', str(f['evil_ckpt']), *pair,
              '-o', str(out / 'f10.png')], ('evil.pth',)),
        Case('metrics', 'fused folder with a zero-byte image',
             [*metrics, *src, '--fused', str(f['fused_bad']), '--metrics', 'EN,SD',
              '-o', str(out / 'm1.csv')], ('b.png',), written(out, ['m1.csv'])),
        Case('metrics', 'unknown metric',
             [*metrics, *src, '--fused', str(f['fused']), '--metrics', 'NOPE',
              '-o', str(out / 'm2.csv')], ("'NOPE'",)),
        Case('metrics', 'unknown protocol',
             [*metrics, *src, '--fused', str(f['fused']), '--protocol', 'nope',
              '-o', str(out / 'm3.csv')], ("'nope'",)),
        Case('metrics', 'absent fused folder',
             [*metrics, *src, '--fused', str(f['absent']), '-o', str(out / 'm4.csv')],
             ('absent',)),
        Case('metrics', 'sizes differ',
             [*metrics, '--source', f'ir={f["ir"]}', '--source', f'vi={f["vi_size"]}',
              '--fused', str(f['fused']), '--metrics', 'EN', '-o', str(out / 'm5.csv')],
             ('vi_size',)),
        Case('pseudo-labels', 'folder with a text file named .png',
             [*labels, '--source', f'ir={f["ir"]}', '--source', f'vi={f["vi_bad"]}',
              '--priors', 'Average,ChooseMax', '--no-refine', '--no-progress',
              '-o', str(out / 'pl1')], ('b.png',),
             written(out / 'pl1' / 'labels', ['a.png', 'c.png'])),
        Case('pseudo-labels', '--limit -1',
             [*labels, *src, '--limit', '-1', '-o', str(out / 'pl2')], ('--limit',)),
        Case('pseudo-labels', 'unknown prior',
             [*labels, *src, '--priors', 'NoSuchPrior', '-o', str(out / 'pl3')],
             ("'NoSuchPrior'",)),
        Case('pseudo-labels', 'one source only',
             [*labels, '--source', f'ir={f["ir"]}', '-o', str(out / 'pl4')], ('two',)),
        Case('leaderboard', 'absent dataset folder',
             [*CLI, 'leaderboard', '--dataset', f'MSRS={f["absent"]}', '--out-dir',
              str(out / 'lb1')], ('absent',)),
        Case('leaderboard', 'code-carrying --model checkpoint',
             [*board, '--model', f'm={TINY}:{f["evil_ckpt"]}', '--out-dir', str(out / 'lb2')],
             ('evil.pth',)),
        Case('leaderboard', 'method folder with a zero-byte image',
             [*board, '--method', f'bad={f["fused_bad"]}', '--method', f'good={f["fused"]}',
              '--metrics', 'EN,SD', '--out-dir', str(out / 'lb3')], ('b.png',)),
        Case('degrade', '20000x20000 PNG header',
             [*degrade, str(f['huge']), '-o', str(out / 'dg1'), '--ops', 'gaussian_noise'],
             ('huge.png',)),
        Case('degrade', 'truncated JPEG',
             [*degrade, str(f['truncated']), '-o', str(out / 'dg2'), '--ops', 'gaussian_noise'],
             ('truncated.jpg',)),
        Case('degrade', 'unknown degradation',
             [*degrade, pair[0], '-o', str(out / 'dg3'), '--ops', 'nosuchop'], ('nosuchop',)),
        Case('degrade', 'absent input',
             [*degrade, str(f['absent']), '-o', str(out / 'dg4'), '--ops', 'gaussian_noise'],
             ('absent',)),
        Case('data check', 'absent folder',
             [*CLI, 'data', 'check', str(f['absent']), '--task', 'ivf'], ('absent',)),
        Case('data check', 'folder with a truncated JPEG',
             [*CLI, 'data', 'check', str(f['ir_bad'].parent), '--sources', 'ir_bad,vi',
              '--task', 'ivf'], ('b.jpg',)),
        Case('compare', 'absent source folder',
             [*compare, '--source', f'ir={f["absent"]}', '--source', f'vi={f["vi"]}',
              '-o', str(out / 'c1.png')], ('absent',)),
        Case('compare', 'unknown stem',
             [*compare, *src, '--stems', 'zzz', '-o', str(out / 'c2.png')], ('zzz',)),
        Case('compare', 'bad --crop',
             [*compare, *src, '--crop', '1,2,x', '-o', str(out / 'c3.png')], ('--crop',)),
        Case('export', '--size 0 0',
             [*export, '--size', '0', '0', '-o', str(out / 'e1.onnx')], ('0x0',)),
        Case('export', 'corrupt checkpoint',
             [*export, '--config', str(TINY), '--checkpoint', str(f['corrupt_ckpt']),
              '-o', str(out / 'e2.onnx')], ('corrupt.pth',)),
        Case('tools/train.py', 'misspelt top-level key',
             [*train, str(f['misspelt_cfg']), '--work-dir', str(out / 't1'), *small_train],
             ('trian_cfg',)),
        Case('tools/train.py', 'unknown registry type',
             [*train, str(f['unknown_type_cfg']), '--work-dir', str(out / 't2'), *small_train],
             ('NoSuchBackbone',)),
        Case('tools/train.py', 'config syntax error',
             [*train, str(f['syntax_cfg']), '--work-dir', str(out / 't3')], ('syntax.py',)),
        Case('tools/train.py', '--iters -5',
             [*train, str(TINY), '--iters', '-5', '--work-dir', str(out / 't4')], ('--iters',)),
        Case('tools/train.py', 'misspelt --cfg-options key',
             [*train, str(TINY), '--work-dir', str(out / 't5'), '--cfg-options',
              'train_cfg.max_itres=1'], ('max_itres',)),
        Case('tools/train.py', '--resume from a code-carrying checkpoint',
             [*train, str(TINY), '--work-dir', str(out / 't6'), '--resume', str(f['evil_ckpt']),
              *small_train], ('evil.pth',)),
        Case('tools/test.py', 'code-carrying checkpoint',
             [*test, str(TINY), str(f['evil_ckpt']), '--work-dir', str(out / 'u1')],
             ('evil.pth',)),
        Case('tools/test.py', 'checkpoint of another model',
             [*test, str(TINY), str(f['other_ckpt']), '--work-dir', str(out / 'u2')],
             ('other.pth',)),
        Case('tools/test.py', 'absent checkpoint',
             [*test, str(TINY), str(f['absent']), '--work-dir', str(out / 'u3')], ('absent',)),
        Case('python API', 'NaN array to fuse()', [*API, api_fuse], ('NaN',)),
        Case('python API', 'read_image on a truncated JPEG',
             [*API, api_read.format(str(f['truncated']))], ('truncated.jpg',)),
        Case('python API', 'four-channel arrays to evaluate_image', [*API, api_channels],
             ('Qabf', 'AG')),
        Case('python API', 'metric on a NaN image', [*API, api_nan], ('NaN',)),
        Case('python API', 'load a code-carrying checkpoint',
             [*API, api_load.format(str(f['evil_ckpt']))], ('evil.pth',)),
    ]
    # fmt: on


def classify(case: Case, proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr
    if 'Traceback (most recent call last)' in err:
        return 'traceback'
    if proc.returncode == 0:
        return 'silent'
    if case.written is not None and not case.written():
        return 'aborted'
    return 'clean' if any(e in err for e in case.expect) else 'unclear'


def run_case(case: Case, timeout: int) -> tuple:
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore'}
    env.pop('FUSIONBOX_DEBUG', None)
    try:
        proc = subprocess.run(
            case.argv,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return case, 'timeout', ''
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return case, classify(case, proc), (lines[-1] if lines else '')[:160]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', help='comma-separated entry points (default: all)')
    parser.add_argument('--workers', type=int, default=2, help='cases run at once')
    parser.add_argument('--timeout', type=int, default=300, help='seconds per case')
    parser.add_argument('--keep', help='make the inputs in this folder (kept afterwards)')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='fusionbox-survey-') as tmp:
        root = Path(args.keep or tmp)
        inputs = make_inputs(root)
        todo = cases(inputs)
        if args.only:
            wanted = {e.strip() for e in args.only.split(',')}
            todo = [c for c in todo if c.entry in wanted]
        with ThreadPoolExecutor(max(1, args.workers)) as pool:
            results = list(pool.map(lambda c: run_case(c, args.timeout), todo))
        code_ran = inputs['marker'].exists()
    counts: dict = {}
    for case, outcome, last in results:
        counts[outcome] = counts.get(outcome, 0) + 1
        print(f'{outcome:<9} {case.entry:<15} {case.what:<44} {last}')
    entries = sorted({c.entry for c, _, _ in results})
    summary = ', '.join(f'{k} {v}' for k, v in sorted(counts.items()))
    print(f'\n{len(results)} bad-input cases over {len(entries)} entry points: {summary}')
    print(f'code in a checkpoint ran: {"YES" if code_ran else "no"}')
    return 0 if set(counts) == {'clean'} and not code_ran else 1


if __name__ == '__main__':
    sys.exit(main())
