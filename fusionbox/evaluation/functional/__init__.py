"""Fusion metrics as plain functions, one per metric, registered in ``FUSION_METRICS``.

Every metric is called ``metric(fused, sources=(), gt=None, protocol='standard')`` on images
in 0..255 (grey, or RGB converted as the protocol does: :func:`protocol_image`) and carries
``metric.spec`` (:class:`MetricSpec`: direction, protocols). Importing this package registers
them all.
"""

from .base import (
    COLOUR_PROTOCOLS,
    PROTOCOLS,
    SOURCE_ORDER,
    MetricInputError,
    MetricSpec,
    MetricUndefinedError,
    check_inputs,
    compute_metrics,
    define_metric,
    evaluate_candidates,
    evaluate_image,
    get_metric,
    list_metrics,
    order_sources,
    protocol_image,
)
from .cache import source_cache
from .edge import Nabf, Qabf
from .fmi import FMI, FMI_dct, FMI_pixel, FMI_w
from .information import CE, EN, MI
from .liu import NMI, TE, Qc, Qe, Qncie, Qs, Qw, Qy
from .mef import MEF_SSIM
from .perceptual import Qcb, Qcv
from .phase import Qp
from .similarity import (
    CC,
    MS_SSIM,
    MSE,
    PSNR,
    RMSE,
    SCD,
    SSIM,
    MAE_ref,
    PSNR_ref,
    SSIM_ref,
)
from .statistics import AG, EI, SD, SF
from .vif import VIF, VIFF

__all__ = [
    'COLOUR_PROTOCOLS',
    'PROTOCOLS',
    'SOURCE_ORDER',
    'MetricSpec',
    'MetricInputError',
    'MetricUndefinedError',
    'check_inputs',
    'compute_metrics',
    'evaluate_image',
    'evaluate_candidates',
    'source_cache',
    'define_metric',
    'get_metric',
    'list_metrics',
    'order_sources',
    'protocol_image',
    'EN',
    'CE',
    'MI',
    'SD',
    'SF',
    'AG',
    'EI',
    'MSE',
    'RMSE',
    'PSNR',
    'CC',
    'SCD',
    'SSIM',
    'VIF',
    'Qabf',
    'Qcb',
    'Qcv',
    'PSNR_ref',
    'SSIM_ref',
    'MAE_ref',
    'NMI',
    'TE',
    'Qncie',
    'Qy',
    'Qc',
    'Qs',
    'Qw',
    'Qe',
    'MEF_SSIM',
    'MS_SSIM',
    'VIFF',
    'Nabf',
    'FMI',
    'FMI_pixel',
    'FMI_dct',
    'FMI_w',
    'Qp',
]
