"""Image files in and out: the one reader, writer, extension list and stem matcher of FusionBox.

Reading gives float32 ``(H, W, C)`` in [0, 1], C = 1 (grey) or 3 (RGB order):

* 8- and 16-bit PNG / TIFF / BMP / WebP / JPEG are scaled by their true range (255, 65535);
  a float TIFF keeps its stored values (not divided by 255);
* an alpha channel is dropped; one rule for grey: a 3-channel image whose channels are equal
  (grey stored as RGB, as in TNO or the Harvard atlas) becomes 1-channel;
* the file's header is checked before decoding: an image larger than ``max_pixels`` is refused
  (:class:`ResourceLimitError`), as is a zero-byte file, a file that is not an image whatever its
  name, a truncated or corrupt file (a truncated JPEG, which libjpeg only warns about, included)
  (:class:`ImageReadError`); every message names the file.

The metric protocols read images the way each published evaluator does: that is
:mod:`fusionbox.evaluation.io`, on purpose not this module.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import cv2
import numpy as np

from .errors import ImageReadError, ResourceLimitError
from .io import atomic_path

#: File extensions read as images (matched case-insensitively).
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')
#: Largest image (H x W pixels) decoded unless the caller raises the limit: 8192 x 8192.
MAX_IMAGE_PIXELS = 8192 * 8192
#: Extensions that can hold 16-bit samples when writing.
DEEP_EXTENSIONS = ('.png', '.tif', '.tiff')
_SIGNATURES = (
    (b'\x89PNG\r\n\x1a\n', 'png'),
    (b'\xff\xd8\xff', 'jpeg'),
    (b'II*\x00', 'tiff'),
    (b'MM\x00*', 'tiff'),
    (b'BM', 'bmp'),
)


def image_format(data: bytes) -> str | None:
    """The format of encoded image bytes from their signature ('png', 'jpeg', 'tiff', 'bmp',
    'webp'), None when they are not an image FusionBox reads."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'webp'
    return None


def _header(data: bytes, name, fmt: str) -> tuple[int, int, int]:
    """``(height, width, bits per sample)`` from the header alone (nothing decoded)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                bits = 16 if im.mode.startswith('I;16') else 8
                if fmt == 'tiff':
                    bits = max(im.tag_v2.get(258, (8,)) or (8,))
    except Image.DecompressionBombError as exc:
        raise ResourceLimitError(f'image {name} refused before decoding: {exc}') from None
    except Exception:  # Pillow cannot parse every TIFF (float, many channels): ask tifffile
        if fmt != 'tiff':
            raise ImageReadError(f'cannot read image {name}: corrupt {fmt} header') from None
        logger = logging.getLogger('tifffile')  # its warnings name no file; the error does
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            import tifffile

            with tifffile.TiffFile(io.BytesIO(data)) as tif:
                page = tif.pages[0]
                h, w, bits = page.imagelength, page.imagewidth, page.bitspersample
        except Exception as exc:
            raise ImageReadError(f'cannot read image {name}: corrupt TIFF ({exc})') from None
        finally:
            logger.setLevel(level)
    if fmt == 'png' and len(data) > 24:
        bits = data[24]  # IHDR bit depth (Pillow reports 16-bit RGB as 8-bit 'RGB')
    return h, w, int(bits)


def image_info(path, max_pixels: int | None = MAX_IMAGE_PIXELS) -> tuple[int, int, int]:
    """``(height, width, bits per sample)`` of an image file from its header, checked like
    :func:`read_image` checks it (nothing is decoded)."""
    data = read_image_bytes(path)
    _, h, w, bits = _check(data, path, max_pixels)
    return h, w, bits


def _check(data: bytes, name, max_pixels: int | None) -> tuple[str, int, int, int]:
    if not data:
        raise ImageReadError(f'cannot read image {name}: the file is empty (0 bytes)')
    fmt = image_format(data)
    if fmt is None:
        raise ImageReadError(
            f'cannot read image {name}: not an image file (no PNG, JPEG, TIFF, BMP or WebP '
            'signature)'
        )
    h, w, bits = _header(data, name, fmt)
    if max_pixels is not None and h * w > max_pixels:
        raise ResourceLimitError(
            f'image {name} is {w}x{h} = {h * w} pixels, above the limit of {max_pixels} pixels '
            '(raise max_pixels, or tile the image)'
        )
    if fmt == 'png' and data.rfind(b'IEND', max(0, len(data) - 1024)) < 0:
        raise ImageReadError(f'cannot read image {name}: truncated PNG (no IEND chunk)')
    return fmt, h, w, bits


def _decode_jpeg(data: bytes, name) -> np.ndarray:
    """Pillow refuses a truncated JPEG (``LOAD_TRUNCATED_IMAGES`` off) where OpenCV only warns."""
    from PIL import Image

    # the end-of-image marker after the last scan: a check that does not depend on Pillow's
    # global LOAD_TRUNCATED_IMAGES (entropy-coded data cannot hold either marker; data after
    # the end marker, which some cameras append, is allowed)
    scan = data.rfind(b'\xff\xda')
    if scan < 0 or data.find(b'\xff\xd9', scan) < 0:
        raise ImageReadError(f'cannot read image {name}: truncated JPEG (no end-of-image marker)')
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if im.mode not in ('L', 'RGB'):
                im = im.convert('RGB')
            return np.asarray(im)
    except OSError as exc:
        raise ImageReadError(f'cannot read image {name}: corrupt JPEG ({exc})') from None


def decode_raw(
    data: bytes, name='<bytes>', max_pixels: int | None = MAX_IMAGE_PIXELS
) -> np.ndarray:
    """Encoded bytes -> the stored samples ``(H, W, C)`` (uint8, uint16 or float), C = 1 or 3 in
    RGB order, alpha dropped; ``name`` is the file named in errors."""
    fmt, h, w, _ = _check(data, name, max_pixels)
    if fmt == 'jpeg':
        image = _decode_jpeg(data, name)
        bgr = False
    else:
        image = _quiet_imdecode(data)
        if image is None:
            raise ImageReadError(f'cannot read image {name}: corrupt or truncated {fmt} file')
        bgr = True
    if image.shape[:2] != (h, w):
        raise ImageReadError(f'cannot read image {name}: decoded size differs from its header')
    if image.ndim == 2:
        image = image[..., None]
    channels = image.shape[2]
    if channels == 2:  # grey + alpha
        image = image[..., :1]
    elif channels in (3, 4):
        image = image[..., :3]
        image = image[..., ::-1] if bgr else image
    elif channels != 1:
        raise ImageReadError(f'cannot read image {name}: {channels} channels (expected 1-4)')
    return np.ascontiguousarray(image)  # (H, W, C)


def _quiet_imdecode(data: bytes) -> np.ndarray | None:
    """``cv2.imdecode`` without OpenCV's own log lines on stderr (they name no file; a failed
    decode is reported by the caller, naming it)."""
    level = cv2.getLogLevel()
    cv2.setLogLevel(0)  # silent
    try:
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    finally:
        cv2.setLogLevel(level)


def decode_image(
    data: bytes,
    name='<bytes>',
    squeeze_grey: bool = True,
    max_pixels: int | None = MAX_IMAGE_PIXELS,
) -> np.ndarray:
    """Encoded bytes -> float32 ``(H, W, C)`` in [0, 1] (see the module doc)."""
    raw = decode_raw(data, name, max_pixels)
    try:
        return as_image(raw, name, squeeze_grey)
    except ValueError as exc:  # an unsupported pixel type, NaN
        raise ImageReadError(str(exc)) from None


def as_image(array, name='array', squeeze_grey: bool = True) -> np.ndarray:
    """An image array -> float32 ``(H, W, C)``, C = 1 or 3, by the reader's rules.

    ``array`` is (H, W), (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA (alpha dropped): uint8 and
    uint16 are scaled by their range, float is kept as it is (NaN or infinity refused); with
    ``squeeze_grey`` equal RGB channels become one. ValueError (naming ``name``) otherwise.
    """
    image = np.asarray(array)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4) or min(image.shape[:2]) < 1:
        raise ValueError(f'image {name} has shape {image.shape}; expected (H, W[, 1, 3 or 4])')
    image = image[..., :3]
    if image.dtype == np.uint8 or image.dtype == np.uint16:
        image = image.astype(np.float32) / np.float32(np.iinfo(image.dtype).max)
    elif image.dtype.kind == 'f':
        if not np.isfinite(image).all():
            raise ValueError(f'image {name} holds NaN or infinite values')
        if image.size and np.abs(image).max() > np.finfo(np.float32).max:
            raise ValueError(f'image {name} holds values beyond the float32 range')
        image = image.astype(np.float32)
    else:
        raise ValueError(
            f'image {name} has unsupported pixel type {image.dtype} (expected 8- or 16-bit '
            'unsigned, or float)'
        )
    if squeeze_grey and image.shape[2] == 3 and _channels_equal(image):
        image = image[..., :1]
    return np.ascontiguousarray(image)  # (H, W, C)


def _channels_equal(image: np.ndarray) -> bool:
    return bool((image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all())


def read_image_bytes(path, backend_args: dict | None = None) -> bytes:
    """The bytes of an image file (FileNotFoundError naming a missing one); through MMEngine's
    file backends when ``backend_args`` are given."""
    if backend_args:
        from mmengine import fileio

        return fileio.get(str(path), backend_args=backend_args)
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f'image {path} does not exist')
    if not path.is_file():
        raise ImageReadError(f'cannot read image {path}: not a file')
    return path.read_bytes()


def read_image(
    path,
    squeeze_grey: bool = True,
    max_pixels: int | None = MAX_IMAGE_PIXELS,
    backend_args: dict | None = None,
) -> np.ndarray:
    """Read an image file as float32 ``(H, W, C)`` in [0, 1], C = 1 or 3 (RGB order).

    Args:
        path: the file.
        squeeze_grey: store a 3-channel image with equal channels as 1 channel. Defaults to True.
        max_pixels: refuse (before decoding) an image with more pixels; None: no limit.
            Defaults to :data:`MAX_IMAGE_PIXELS`.
        backend_args: MMEngine file backend arguments; None reads a local file. Defaults to None.

    Raises:
        FileNotFoundError: the file does not exist.
        ImageReadError: empty, truncated, corrupt, not an image, unsupported pixel type.
        ResourceLimitError: the header declares more than ``max_pixels`` pixels.
    """
    return decode_image(read_image_bytes(path, backend_args), path, squeeze_grey, max_pixels)


def read_sources(
    paths: Sequence, squeeze_grey: bool = True, max_pixels: int | None = MAX_IMAGE_PIXELS
) -> List[np.ndarray]:
    """Read the registered sources of one sample; they must share one size (else the
    ValueError names both files)."""
    images = [read_image(p, squeeze_grey, max_pixels) for p in paths]
    check_same_size(images, paths)
    return images


def check_same_size(images: Sequence[np.ndarray], names: Sequence) -> None:
    """Raise ValueError naming two of ``names`` when ``images`` differ in (H, W)."""
    ref = images[0].shape[:2]
    for name, image in zip(names, images):
        if image.shape[:2] != ref:
            raise ValueError(
                f'source {name} is {image.shape[1]}x{image.shape[0]} but {names[0]} is '
                f'{ref[1]}x{ref[0]}; sources must be registered (same size)'
            )


# --- folders and stems ---------------------------------------------------------------------------
def is_image_file(path) -> bool:
    """Whether ``path`` has an image extension and is not hidden."""
    path = Path(path)
    return path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith('.')


def list_images(folder, what: str = 'image') -> Dict[str, Path]:
    """``{stem: path}`` of the images in ``folder``, sorted by name (hidden files skipped).

    Args:
        folder: the folder.
        what: the folder's role, named in errors. Defaults to 'image'.

    Raises:
        FileNotFoundError: ``folder`` is not a folder.
        ValueError: two images share a stem (e.g. ``a.png`` and ``a.jpg``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f'{what} folder {folder} does not exist')
    found: Dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if not is_image_file(path) or not path.is_file():
            continue
        if path.stem in found:
            raise ValueError(
                f'{what} folder {folder} holds two images with the stem {path.stem!r}: '
                f'{found[path.stem].name} and {path.name}'
            )
        found[path.stem] = path
    return found


def match_stem(name: str, stems: Iterable[str]) -> str | None:
    """The sample stem a file stem ``name`` belongs to: ``name`` itself, or the longest of
    ``stems`` followed by ``_`` (VIFB names results ``<stem>_<method>.jpg``); None if none."""
    stems = stems if isinstance(stems, set | frozenset | dict) else set(stems)
    if name in stems:
        return name
    prefixes = [s for s in stems if name.startswith(f'{s}_')]
    return max(prefixes, key=len) if prefixes else None


# --- writing --------------------------------------------------------------------------------------
def _quantise(image, bits: int) -> np.ndarray:
    array = np.asarray(image)
    if not np.isfinite(array).all():
        raise ValueError('the image holds NaN or infinite values')
    top = (1 << bits) - 1
    if array.dtype.kind != 'f':
        array = array.astype(np.float64)
    # in the array's own precision: float32 images quantise as they always have
    return np.rint(np.clip(array, 0.0, 1.0) * top).astype(np.uint8 if bits == 8 else np.uint16)


def to_uint8(image) -> np.ndarray:
    """A [0, 1] float image to uint8 (rounded, clipped), same layout; uint8 input is returned."""
    image = np.asarray(image)
    return image if image.dtype == np.uint8 else _quantise(image, 8)


def to_uint16(image) -> np.ndarray:
    """A [0, 1] float image to uint16 (rounded, clipped), same layout; uint16 input is
    returned."""
    image = np.asarray(image)
    return image if image.dtype == np.uint16 else _quantise(image, 16)


def image_from_tensor(tensor) -> np.ndarray:
    """A (C, H, W) tensor (C = 1 or 3) -> float32 (H, W) or (H, W, 3) numpy image."""
    array = tensor.detach().cpu().float().numpy()
    return array[0] if array.shape[0] == 1 else np.ascontiguousarray(array.transpose(1, 2, 0))


def write_image(path, image, bits: int = 8, overwrite: bool = False) -> Path:
    """Write an image atomically (a temporary file renamed into place).

    Args:
        path: the file; its extension picks the format (8-bit only for JPEG, BMP and WebP).
        image: float (H, W), (H, W, 1) or (H, W, 3) RGB in [0, 1] (clipped, rounded to ``bits``),
            or uint8 / uint16 samples written as they are (``bits`` must agree).
        bits: 8 or 16. Defaults to 8.
        overwrite: replace an existing file; else FileExistsError naming it. Defaults to False.

    Returns:
        The path written.
    """
    path = Path(path)
    if bits not in (8, 16):
        raise ValueError(f'bits must be 8 or 16, got {bits}')
    ext = path.suffix.lower()
    if ext not in IMAGE_EXTENSIONS:
        raise ValueError(
            f'cannot write {path}: unknown image extension (use one of PNG, TIFF, JPEG)'
        )
    if bits == 16 and ext not in DEEP_EXTENSIONS:
        raise ValueError(f'cannot write {path}: 16-bit images need a .png or .tif file')
    array = np.asarray(image)
    if array.dtype in (np.uint8, np.uint16) and array.dtype.itemsize * 8 != bits:
        raise ValueError(f'cannot write {path}: {array.dtype} samples but bits={bits}')
    array = to_uint8(array) if bits == 8 else to_uint16(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 3 and array.shape[2] == 3:
        array = array[..., ::-1]  # RGB -> BGR for OpenCV
    elif array.ndim != 2:
        raise ValueError(f'cannot write {path}: image shape {array.shape} is not (H, W[, 1 or 3])')
    ok, data = cv2.imencode(ext, np.ascontiguousarray(array))
    if not ok:
        raise OSError(f'could not encode image {path}')
    with atomic_path(path, overwrite=overwrite) as tmp:
        data.tofile(str(tmp))
    return path
