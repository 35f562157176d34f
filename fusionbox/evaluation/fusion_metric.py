"""``FusionMetric``: the MMEngine metric that scores the fused images a model returns."""

from __future__ import annotations

from logging import WARNING
from typing import List, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from fusionbox.registry import METRICS

from .functional import PROTOCOLS, evaluate_image, get_metric, order_sources
from .io import from_unit_tensor
from .tables import ERRORS, missing_summary, summarize, write_tables

DEFAULT_METRICS = ('EN', 'SD', 'SF', 'AG', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref')
__all__ = ['DEFAULT_METRICS', 'FusionMetric', 'order_sources']


@METRICS.register_module()
class FusionMetric(BaseMetric):
    """Fusion metrics of the fused luma against its sources (and ground truth when present).

    Reads from each data sample the model returns: ``pred`` (1, H, W) and ``sources``
    (N, 1, H, W) in [0, 1] (falling back to the batch ``inputs``), ``gt`` (1, H, W) if any, and
    metainfo ``task``, ``stem``, ``source_names``. Values are computed on luma x 255.

    ``compute_metrics`` returns per-task means (``'ivf/EN'``) and means over all images
    (``'EN'``); the per-image rows stay in :attr:`rows` for :func:`write_tables`.
    Full-reference metrics are skipped (not zero-filled) for samples without ``gt``. A metric
    that cannot be computed on an image (``MetricUndefinedError``, e.g. Qabf on flat sources, or
    ``MetricInputError``, e.g. NaN in the prediction) is left out of that row and recorded in
    ``row['errors'] = {metric: reason}``; the means leave it out, and ``compute_metrics`` logs
    once per metric how many images were left out.

    Args:
        metric_names: metric names registered in ``FUSION_METRICS`` (str or list).
            Defaults to :data:`DEFAULT_METRICS`. (Not called ``metrics``: MMEngine's Runner
            reads an evaluator dict with a ``metrics`` key as an ``Evaluator`` config.)
        protocol: ``'standard'``, ``'cddfuse'``, ``'vifb'``, ``'tang'`` or ``'mefb'``. The
            published protocols quantise the prediction to 8 bits first. Defaults to ``'standard'``.
        collect_device: see ``BaseMetric``. Defaults to ``'cpu'``.
        prefix: see ``BaseMetric``. Defaults to None (no prefix).
        out_dir: when set, ``compute_metrics`` also writes the per-image table as JSON, CSV and
            Markdown there (see :func:`write_tables`). Defaults to None.
    """

    default_prefix = None

    def __init__(
        self,
        metric_names: str | Sequence[str] = DEFAULT_METRICS,
        protocol: str = 'standard',
        collect_device: str = 'cpu',
        prefix: str | None = None,
        out_dir: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if protocol not in PROTOCOLS:
            raise ValueError(
                f'unknown metric protocol {protocol!r}; expected one of ' f'{tuple(PROTOCOLS)}'
            )
        self.out_dir = out_dir
        names = metric_names
        self.metrics = [names] if isinstance(names, str) else list(names)
        self._fns = {name: get_metric(name) for name in self.metrics}
        for fn in self._fns.values():
            fn.spec.impl(protocol)  # fail at build time if not defined under the protocol
        self.protocol = protocol
        self.rows: List[dict] = []

    def process(self, data_batch, data_samples: Sequence) -> None:
        inputs = (data_batch or {}).get('inputs') if isinstance(data_batch, dict) else None
        for i, sample in enumerate(data_samples):
            if hasattr(sample, 'to_dict'):
                sample = sample.to_dict()
            sources = sample.get('sources')
            if sources is None and inputs is not None:
                sources = inputs[i]
            if sources is None:
                raise KeyError('FusionMetric needs "sources" in the data sample or batch inputs')
            srcs = [from_unit_tensor(s, self.protocol) for s in sources]
            srcs = order_sources(srcs, sample.get('source_names'), self.protocol)
            fused = from_unit_tensor(sample['pred'], self.protocol)
            gt = sample.get('gt')
            gt = None if gt is None else from_unit_tensor(gt, 'standard')
            row = {'task': sample.get('task'), 'stem': sample.get('stem')}
            values, errors = evaluate_image(self.metrics, fused, srcs, gt, self.protocol)
            row.update(values)
            if errors:
                row[ERRORS] = errors
            self.results.append(row)

    def compute_metrics(self, results: list) -> dict:
        self.rows = list(results)
        for line in missing_summary(self.rows):
            print_log(f'FusionMetric ({self.protocol}): {line}', logger='current', level=WARNING)
        if self.out_dir:
            # re-rendered at every evaluation of the run (each validation, then the test)
            write_tables(self.rows, self.out_dir, self.protocol, overwrite=True)
        return summarize(self.rows, self.metrics)
