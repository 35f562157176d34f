"""A runner hook that shows training and testing progress as tqdm bars (one per phase)."""

from __future__ import annotations

from mmengine.hooks import Hook


class ProgressHook(Hook):
    """tqdm bars over the training iterations (with the current loss) and the test batches.

    Args:
        label: the bar's label (the input kind).
        enabled: show the bars. Defaults to True.
    """

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label, self.enabled, self.bar = label, enabled, None

    def _open(self, total: int, phase: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=f'{self.label} {phase}', disable=not self.enabled)

    def _close(self, runner=None, *args) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def before_train(self, runner) -> None:
        self._open(runner.max_iters - runner.iter, 'train')

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.bar.update(1)
        if outputs and 'loss' in outputs:
            self.bar.set_postfix(loss=f'{float(outputs["loss"]):.3f}', refresh=False)

    def before_test(self, runner) -> None:
        self._open(len(runner.test_dataloader), 'test')

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.bar.update(1)

    after_train = after_test = _close
