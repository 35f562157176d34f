"""Compression and resolution: JPEG coding artefacts and low-resolution capture (downsampling)."""

from __future__ import annotations

import cv2
import numpy as np

from fusionbox.registry import DEGRADATIONS
from fusionbox.utils.image_io import to_uint8

from .base import STAGE_CODEC, STAGE_SAMPLING, BaseDegradation, as_range, draw

#: OpenCV interpolations used to bring a low-resolution image back to the source grid.
UPSAMPLERS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
}


@DEGRADATIONS.register_module()
class JPEGCompression(BaseDegradation):
    """Lossy JPEG coding: 8x8 block DCT quantisation (blocking, ringing, chroma bleeding).

    Grey images are coded as grey JPEG, colour images as colour JPEG (with OpenCV's 4:2:0 chroma
    subsampling); the block grid starts at the image's top-left corner.

    Ref: G. K. Wallace, "The JPEG still picture compression standard", IEEE TCE 1992; the JPEG
    degradation of Real-ESRGAN (Wang et al. 2021) and MMAIF.

    Args:
        quality: JPEG quality factor (1 to 100), a number or a ``(low, high)`` range drawn as an
            integer. Defaults to (10, 40).
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'jpeg'
    stage = STAGE_CODEC

    def __init__(self, quality=(10, 40), prob: float = 1.0, applies_to=None):
        super().__init__(prob, applies_to)
        self.quality = as_range(quality, 'quality', 1, 100)

    def sample_params(self, rng, shape):
        return dict(quality=int(round(draw(rng, self.quality))))

    def render(self, image, params, rng):
        data = to_uint8(image)
        if image.shape[2] == 3:
            data = cv2.cvtColor(data, cv2.COLOR_RGB2BGR)
        ok, encoded = cv2.imencode('.jpg', data, [cv2.IMWRITE_JPEG_QUALITY, params['quality']])
        if not ok:
            raise RuntimeError('OpenCV could not encode the image as JPEG')
        flag = cv2.IMREAD_COLOR if image.shape[2] == 3 else cv2.IMREAD_GRAYSCALE
        decoded = cv2.imdecode(encoded, flag)
        if image.shape[2] == 3:
            decoded = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
        return decoded.reshape(image.shape).astype(np.float32) / 255.0


@DEGRADATIONS.register_module()
class Downsample(BaseDegradation):
    """Low-resolution capture: area-average down by ``scale``, interpolate back to the grid.

    The area average integrates each low-resolution pixel's footprint (a box sensor PSF); the
    result keeps the source's size (so sources stay registered) but loses the frequencies above
    the low-resolution Nyquist limit ``0.5 / scale`` cycles per pixel.

    Ref: the bicubic / area degradation model of single-image super-resolution, e.g. Dong et al.
    "Image super-resolution using deep convolutional networks" (SRCNN), TPAMI 2016.

    Args:
        scale: downsampling factor (> 1), a number or a ``(low, high)`` range.
            Defaults to (2.0, 4.0).
        upsample: interpolations back to the grid, one drawn per image among
            ``'nearest'``, ``'bilinear'``, ``'bicubic'``. Defaults to ('bilinear', 'bicubic').
        prob: see :class:`BaseDegradation`. Defaults to 1.
        applies_to: see :class:`BaseDegradation`. Defaults to None (any source).
    """

    key = 'downsample'
    stage = STAGE_SAMPLING

    def __init__(
        self, scale=(2.0, 4.0), upsample=('bilinear', 'bicubic'), prob: float = 1.0, applies_to=None
    ):
        super().__init__(prob, applies_to)
        self.scale = as_range(scale, 'scale', 1.0)
        upsample = (upsample,) if isinstance(upsample, str) else tuple(upsample)
        unknown = [u for u in upsample if u not in UPSAMPLERS]
        if unknown or not upsample:
            raise ValueError(f'upsample must be among {sorted(UPSAMPLERS)}, got {upsample}')
        self.upsample = upsample

    def sample_params(self, rng, shape):
        return dict(
            scale=draw(rng, self.scale),
            upsample=self.upsample[int(rng.integers(len(self.upsample)))],
        )

    def render(self, image, params, rng):
        h, w = image.shape[:2]
        small = (max(1, int(round(w / params['scale']))), max(1, int(round(h / params['scale']))))
        low = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
        up = cv2.resize(low, (w, h), interpolation=UPSAMPLERS[params['upsample']])
        return up.reshape(image.shape)
