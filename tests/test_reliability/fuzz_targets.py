"""Fuzz targets: hypothesis strategies and the properties they must keep.

Shared by ``test_fuzz.py`` (a bounded number of examples in CI) and ``benchmarks/fuzz.py`` (a
longer run that counts examples and failures). Each target is ``(strategy, check)``; ``check``
raises AssertionError (or lets an unexpected exception through) when the property breaks.

The properties:

* **image bytes** (random, or a valid PNG / JPEG / TIFF / BMP / WebP mutated by truncation,
  byte flips and insertions) decode to a float32 ``(H, W, 1 or 3)`` finite image, or raise a
  :class:`~fusionbox.utils.errors.FusionBoxError` (ImageReadError, ResourceLimitError);
  read from a file, the error names the file;
* **arrays** through :func:`~fusionbox.utils.image_io.as_image` (any dtype, shape, NaN/inf)
  give a valid image or a ValueError naming the array;
* **metrics** (every metric of the ``standard`` protocol) on random and degenerate images
  (constant, 1-pixel, tiny, NaN / inf, mismatched sizes) return a finite float or raise
  MetricInputError / MetricUndefinedError, and emit no warning;
* **command lines** of ``fusionbox`` (random options and values of real subcommands, paths in
  a scratch folder) end with exit status 0, 1 or 2 and no traceback.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import math
import shutil
import tempfile
import warnings
from pathlib import Path

import cv2
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fusionbox.utils.errors import FusionBoxError
from fusionbox.utils.image_io import as_image, decode_image, read_image

# --- images ----------------------------------------------------------------------------------
FORMATS = ('.png', '.jpg', '.tif', '.bmp', '.webp')


def check_decoded(image: np.ndarray) -> None:
    assert image.dtype == np.float32 and image.ndim == 3 and image.shape[2] in (1, 3)
    assert min(image.shape[:2]) >= 1 and np.isfinite(image).all()


def check_bytes(data: bytes) -> None:
    """Bytes decode to a valid image or raise a FusionBoxError."""
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        try:
            image = decode_image(data, 'fuzz.bin')
        except FusionBoxError as exc:
            assert 'fuzz.bin' in str(exc), exc
            return
    check_decoded(image)


@st.composite
def encoded_images(draw) -> bytes:
    """A valid encoded image of random size, channels, depth and format."""
    ext = draw(st.sampled_from(FORMATS))
    h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    channels = draw(st.sampled_from((1, 3, 4) if ext != '.jpg' else (1, 3)))
    deep = ext in ('.png', '.tif') and draw(st.booleans())
    dtype = np.uint16 if deep else np.uint8
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    array = rng.integers(0, np.iinfo(dtype).max, (h, w, channels), endpoint=True).astype(dtype)
    if ext == '.tif' and draw(st.booleans()):
        array = rng.random((h, w, channels)).astype(np.float32)  # a float TIFF
    ok, buffer = cv2.imencode(ext, array if channels > 1 else array[..., 0])
    assert ok
    return buffer.tobytes()


@st.composite
def mutated_images(draw) -> bytes:
    """A valid encoded image, then truncated, with bytes flipped or junk inserted."""
    data = bytearray(draw(encoded_images()))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(('truncate', 'flip', 'insert', 'delete')))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == 'truncate':
            del data[at:]
        elif kind == 'flip':
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == 'insert':
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


def check_file(args) -> None:
    """The same bytes read from a file with an image name: a valid image, or a FusionBoxError
    whose message names the file."""
    data, ext = args
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f'sample{ext}'
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            try:
                image = read_image(path)
            except FusionBoxError as exc:
                assert str(path) in str(exc), exc
                return
    check_decoded(image)


any_bytes = st.one_of(st.binary(max_size=512), mutated_images())
files = st.tuples(any_bytes, st.sampled_from(FORMATS))

# --- arrays ------------------------------------------------------------------------------------
arrays = hnp.arrays(
    dtype=st.sampled_from(
        [np.uint8, np.uint16, np.float32, np.float64, np.int32, np.bool_, np.complex64]
    ),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6),
)


def check_array(array: np.ndarray) -> None:
    """An array becomes a valid image or a ValueError naming it, and no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        try:
            image = as_image(array, name='the-array')
        except ValueError as exc:
            assert 'the-array' in str(exc), exc
            return
    assert image.shape[:2] == array.shape[:2]
    check_decoded(image)


# --- metrics ---------------------------------------------------------------------------------
def metric_names() -> list:
    from fusionbox.evaluation.functional import list_metrics

    return list_metrics('standard')


@st.composite
def metric_inputs(draw, names=None):
    """``(name, fused, sources, gt)``: random, constant, tiny or non-finite images; ``name``
    from ``names`` (default: every metric of the standard protocol)."""
    name = draw(st.sampled_from(names or metric_names()))
    h, w = draw(st.integers(1, 48)), draw(st.integers(1, 48))
    channels = draw(st.sampled_from((None, 1, 3)))
    shape = (h, w) if channels is None else (h, w, channels)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def image():
        kind = draw(st.sampled_from(('random', 'constant', 'zeros', 'binary', 'nonfinite')))
        if kind == 'random':
            return rng.random(shape)
        if kind == 'constant':
            return np.full(shape, draw(st.floats(0, 1)))
        if kind == 'zeros':
            return np.zeros(shape)
        if kind == 'binary':
            return (rng.random(shape) > 0.5).astype(np.float64)
        out = rng.random(shape)
        out.flat[draw(st.integers(0, out.size - 1))] = draw(st.sampled_from((np.nan, np.inf)))
        return out

    sources = [image() for _ in range(draw(st.integers(0, 3)))]
    if sources and draw(st.integers(0, 9)) == 0:  # one source of another size
        sources[-1] = sources[-1][: max(1, h - 1)]
    gt = image() if draw(st.booleans()) else None
    return name, image(), sources, gt


def check_metric(args) -> None:
    """A float that is not NaN (PSNR of identical images is +inf) or a one-line
    MetricInputError / MetricUndefinedError, and no warning."""
    from fusionbox.evaluation.functional import get_metric
    from fusionbox.evaluation.functional.base import MetricInputError, MetricUndefinedError

    name, fused, sources, gt = args
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        try:
            value = get_metric(name)(fused, sources, gt)
        except (MetricInputError, MetricUndefinedError) as exc:
            assert str(exc) and '\n' not in str(exc), exc  # one line saying what is wrong
            return
    assert isinstance(value, float) and not math.isnan(value), (name, value)


# --- command lines ---------------------------------------------------------------------------
#: Subcommands fuzzed in process (``downstream`` and ``export`` train or export models: their
#: command lines are covered by their own tests).
COMMANDS = ('metrics', 'degrade', 'pseudo-labels', 'fuse', 'compare', 'leaderboard')


@functools.cache
def scratch() -> Path:
    """A scratch folder of bad and good inputs, made once per process (outputs of the fuzzed
    commands land in it, never in the repository)."""
    root = Path(tempfile.mkdtemp(prefix='fusionbox-fuzz-cli-'))
    atexit.register(shutil.rmtree, root, True)
    for name in ('ir', 'vi', 'empty'):
        (root / name).mkdir()
    rng = np.random.default_rng(0)
    for name in ('ir', 'vi'):
        cv2.imwrite(str(root / name / 'a.png'), np.uint8(rng.random((16, 16)) * 255))
    (root / 'ir' / 'b.png').write_text('not an image')
    (root / 'vi' / 'b.png').write_bytes(b'')
    (root / 'text.png').write_text('hello')
    return root


def _options(command: str) -> list:
    from fusionbox.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == 'command')
    return sorted(
        o
        for a in sub.choices[command]._actions
        for o in a.option_strings
        if o.startswith('--') and o != '--help'
    )


@st.composite
def command_lines(draw) -> list:
    """``[command, token, ...]`` with the command's own options and hostile values."""
    command = draw(st.sampled_from(COMMANDS))
    root = scratch()
    values = st.one_of(
        st.sampled_from(['ivf', 'mif', 'mef', 'mff', 'sar', '', 'standard', 'vifb', 'nope']),
        st.integers(-(2**31), 2**31).map(str),
        st.sampled_from(['nan', 'inf', '-1', '0', '1e9', '3.5']),
        st.sampled_from(
            [
                f'ir={root / "ir"}',
                f'vi={root / "vi"}',
                f'x={root / "empty"}',
                'noequals',
                f'=={root}',
                str(root / 'text.png'),
                str(root / 'ir' / 'a.png'),
                str(root / 'vi' / 'a.png'),
                str(root / 'absent'),
                str(root / 'empty'),
            ]
        ),  # fmt: skip
        st.text(max_size=12),
        st.sampled_from(['-o', str(root / 'out'), str(root / 'out.png')]),
    )
    tokens = draw(st.lists(st.one_of(st.sampled_from(_options(command)), values), max_size=8))
    return [command, *tokens]


def check_command_line(argv: list) -> None:
    """``fusionbox <argv>`` ends with 0, 1 or 2 and prints no traceback."""
    from fusionbox.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
            code = exc.code
    assert code in (0, 1, 2), (argv, code, err.getvalue()[-2000:])
    assert 'Traceback' not in err.getvalue(), (argv, err.getvalue()[-2000:])


#: name -> (strategy, check, examples in CI)
TARGETS = {
    'image_bytes': (any_bytes, check_bytes, 150),
    'image_files': (files, check_file, 60),
    'arrays': (arrays, check_array, 150),
    'metrics': (metric_inputs(), check_metric, 120),
    'command_lines': (command_lines(), check_command_line, 40),
}
