"""Writes the fused test images and a comparison figure (sources beside the fused result)."""

from __future__ import annotations

from pathlib import Path

from mmengine.hooks import Hook

from fusionbox.registry import HOOKS
from fusionbox.utils.image_io import image_from_tensor, to_uint8, write_image


@HOOKS.register_module()
class FusedImageSaverHook(Hook):
    """Save every fused test image as ``<out_dir>/<task>/<stem>.png`` (or
    ``<task>/<dataset>/<stem>.png`` when the sample names its dataset, as the real-data sets do:
    the three Harvard sets share stems) and a comparison figure.

    Colour results (``pred_color``) are written in colour, otherwise the fused luma. Files are
    written atomically; an existing file is never overwritten unless ``overwrite=True``.

    Args:
        out_dir: folder for the images; defaults to ``<work_dir>/fused``.
        overwrite: replace existing images. Defaults to False.
        figure_examples: examples per task in ``comparison.png`` (0 disables the figure).
            Defaults to 2.
    """

    priority = 'LOW'

    def __init__(
        self, out_dir: str | None = None, overwrite: bool = False, figure_examples: int = 2
    ):
        self.out_dir = out_dir
        self.overwrite = overwrite
        self.figure_examples = figure_examples
        self._examples: dict = {}

    def _root(self, runner) -> Path:
        return Path(self.out_dir or Path(runner.work_dir) / 'fused')

    def before_test(self, runner) -> None:
        self._examples = {}

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        root = self._root(runner)
        for sample in outputs or []:
            task, stem = sample.metainfo['task'], sample.metainfo['stem']
            fused = sample.pred_color if 'pred_color' in sample else sample.pred
            image = to_uint8(image_from_tensor(fused))  # (H, W) or (H, W, 3) RGB
            folder = root / task
            if sample.metainfo.get('dataset'):  # equal stems of different sets stay apart
                folder = folder / sample.metainfo['dataset']
            write_image(folder / f'{stem}.png', image, overwrite=self.overwrite)
            examples = self._examples.setdefault(task, [])
            if len(examples) < self.figure_examples:
                sources = [to_uint8(image_from_tensor(s)) for s in sample.sources]
                examples.append(
                    (stem, list(sample.metainfo.get('source_names', [])), sources, image)
                )

    def after_test(self, runner) -> None:
        if not self._examples or self.figure_examples <= 0:
            return
        from fusionbox.visualization import save_comparison_figure

        path = self._root(runner) / 'comparison.png'
        save_comparison_figure(self._examples, path, overwrite=self.overwrite)
        runner.logger.info(f'fused images and comparison figure written to {self._root(runner)}')
