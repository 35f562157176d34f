"""Loading the registered sources (and gt, mask, pseudo-label) of one sample."""

from __future__ import annotations

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from fusionbox.registry import TRANSFORMS


def read_image(
    path: str, backend_args: dict | None = None, squeeze_grey: bool = True
) -> np.ndarray:
    """Read an image as float32 (H, W, C) in [0, 1], C = 1 or 3 (RGB order).

    8- and 16-bit files are scaled by their range; an alpha channel is dropped; with
    ``squeeze_grey`` a 3-channel image whose channels are equal (grey stored as RGB, as in TNO
    or the Harvard atlas) becomes 1-channel.

    Raises:
        FileNotFoundError: the file does not exist.
        OSError: the file cannot be decoded as an image (the message names it).
    """
    data = fileio.get(path, backend_args=backend_args)
    image = mmcv.imfrombytes(data, flag='unchanged', backend='cv2') if data else None
    if image is None:
        raise OSError(f'cannot decode image {path} (empty, truncated or not an image)')
    scale = {np.uint8: 255.0, np.uint16: 65535.0}.get(image.dtype.type)
    if scale is None:
        raise OSError(f'image {path} has unsupported dtype {image.dtype}')
    if image.ndim == 2:
        image = image[..., None]
    elif image.shape[2] == 4:
        image = image[..., :3]
    if image.shape[2] == 3:
        image = mmcv.bgr2rgb(image)
        if (
            squeeze_grey
            and (image[..., 0] == image[..., 1]).all()
            and (image[..., 1] == image[..., 2]).all()
        ):
            image = image[..., :1]
    return np.ascontiguousarray(image, dtype=np.float32) / np.float32(scale)  # (H, W, C)


def read_mask(path: str, backend_args: dict | None = None) -> np.ndarray:
    """Read a label / mask image as uint8 (H, W) (first channel of a colour file)."""
    data = fileio.get(path, backend_args=backend_args)
    mask = mmcv.imfrombytes(data, flag='unchanged', backend='cv2') if data else None
    if mask is None:
        raise OSError(f'cannot decode mask {path} (empty, truncated or not an image)')
    if mask.ndim == 3:
        mask = mask[..., 0]
    return np.ascontiguousarray(mask, dtype=np.uint8)


@TRANSFORMS.register_module()
class LoadMultiSourceImages(BaseTransform):
    """Load the N sources of a sample, and its gt, mask and pseudo-label when present.

    Required keys: ``source_paths``; optional ``gt_path``, ``mask_path``,
    ``pseudo_label_path``.
    Added keys: ``sources`` (list of N float32 (H, W, C) in [0, 1], RGB), ``gt`` and
    ``pseudo_label`` likewise, ``mask`` (H, W) uint8, ``ori_shape`` and ``img_shape`` (H, W).

    Args:
        squeeze_grey: store grey images saved as RGB with one channel. Defaults to True.
        check_size: raise when the images of a sample differ in size. Defaults to True.
        backend_args: MMEngine file backend arguments. Defaults to None (local files).
    """

    def __init__(
        self, squeeze_grey: bool = True, check_size: bool = True, backend_args: dict | None = None
    ) -> None:
        self.squeeze_grey = squeeze_grey
        self.check_size = check_size
        self.backend_args = backend_args

    def _read(self, path: str) -> np.ndarray:
        return read_image(path, self.backend_args, self.squeeze_grey)

    def transform(self, results: dict) -> dict:
        paths = list(results['source_paths'])
        results['sources'] = [self._read(p) for p in paths]
        shapes = {p: im.shape[:2] for p, im in zip(paths, results['sources'])}
        for key in ('gt', 'pseudo_label'):
            path = results.get(f'{key}_path')
            if path:
                results[key] = self._read(path)
                shapes[path] = results[key].shape[:2]
        if results.get('mask_path'):
            results['mask'] = read_mask(results['mask_path'], self.backend_args)
            shapes[results['mask_path']] = results['mask'].shape
        if self.check_size and len(set(shapes.values())) > 1:
            listed = ', '.join(f'{p}: {h}x{w}' for p, (h, w) in shapes.items())
            raise ValueError(
                f'the images of sample {results.get("stem", "?")!r} differ in size '
                f'(H x W): {listed}'
            )
        results['ori_shape'] = results['img_shape'] = results['sources'][0].shape[:2]
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(squeeze_grey={self.squeeze_grey}, '
            f'check_size={self.check_size})'
        )
