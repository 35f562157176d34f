"""Loading the registered sources (and gt, mask, pseudo-label) of one sample."""

from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform

from fusionbox.registry import TRANSFORMS
from fusionbox.utils.errors import ImageReadError
from fusionbox.utils.image_io import decode_raw, read_image, read_image_bytes

__all__ = ['LoadMultiSourceImages', 'read_image', 'read_mask']


def read_mask(path: str, backend_args: dict | None = None) -> np.ndarray:
    """Read an 8-bit label / mask image as uint8 (H, W) (first channel of a colour file).

    Raises:
        FileNotFoundError: the file does not exist.
        ImageReadError: not a readable 8-bit image (the message names the file).
    """
    mask = decode_raw(read_image_bytes(path, backend_args), path)
    if mask.dtype != np.uint8:
        raise ImageReadError(f'mask {path} has {mask.dtype} samples; masks are 8-bit images')
    return np.ascontiguousarray(mask[..., 0])


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
        return read_image(path, self.squeeze_grey, backend_args=self.backend_args)

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
