"""Information-theory metrics: entropy (EN), cross entropy (CE), mutual information (MI).

Histograms are batched with ``np.bincount`` on integer grey levels (256 bins).

Ref: Roberts et al., "Assessment of image fusion procedures using entropy, image quality, and
multispectral classification", JARS 2008 (EN); Qu et al., "Information measure for performance
of image fusion", Electronics Letters 2002 (MI); Bulanon et al., Biosystems Eng. 2009 (CE).
"""

from __future__ import annotations

import numpy as np

from .base import as_u8, define_metric, matlab_round, mefb_channels, per_channel


def _levels(x) -> np.ndarray:
    """Integer grey levels 0..255 (rounded half to even, clipped) as int64."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x.astype(np.int64)
    if x.dtype != np.float32:
        x = x.astype(np.float64, copy=False)
    return np.clip(np.rint(x), 0, 255).astype(np.int64)


def _entropy(counts: np.ndarray, log=np.log2) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * log(p)).sum())


def _joint(a: np.ndarray, b: np.ndarray, n: int = 256) -> np.ndarray:
    return np.bincount((a * n + b).ravel(), minlength=n * n).reshape(n, n)


def _mutual_info(a: np.ndarray, b: np.ndarray, log=np.log2, n: int = 256) -> float:
    """I(a; b) from the joint histogram of two integer images in 0..n-1."""
    joint = _joint(a, b, n).astype(np.float64)
    pab = joint / joint.sum()
    pa, pb = pab.sum(1), pab.sum(0)
    nz = pab > 0
    return float((pab[nz] * (log(pab[nz]) - log(np.outer(pa, pb)[nz]))).sum())


# --- EN ----------------------------------------------------------------------------------------
def _en_standard(fused, sources, gt):
    return _entropy(np.bincount(_levels(fused).ravel(), minlength=256))


def _en_vifb(fused, sources, gt):
    levels = np.floor(np.asarray(fused, dtype=np.float64)).astype(np.int64)
    return _entropy(np.bincount(levels.ravel(), minlength=256))


def _en_uint8(fused, sources, gt):
    return _entropy(np.bincount(as_u8(fused).ravel(), minlength=256))


EN = define_metric(
    'EN',
    True,
    {
        'standard': _en_standard,
        'cddfuse': _en_standard,
        'vifb': per_channel(_en_vifb),
        'mefb': mefb_channels(_en_vifb),
        'tang': _en_uint8,
    },
    description='Shannon entropy (bits) of the 256-level histogram of the fused image',
    uses_sources=False,
)


# --- CE ----------------------------------------------------------------------------------------
def _cross_entropy(src_levels, fused_levels) -> float:
    p1 = np.bincount(src_levels.ravel(), minlength=256) / src_levels.size
    p2 = np.bincount(fused_levels.ravel(), minlength=256) / fused_levels.size
    nz = (p1 > 0) & (p2 > 0)
    return float((p1[nz] * np.log2(p1[nz] / p2[nz])).sum())


def _ce_standard(fused, sources, gt):
    f = _levels(fused)
    return float(np.mean([_cross_entropy(_levels(s), f) for s in sources]))


CE = define_metric(
    'CE',
    False,
    {
        'standard': _ce_standard,
        'vifb': per_channel(_ce_standard),
        'mefb': mefb_channels(_ce_standard),
    },
    description='cross entropy (bits) of the source histograms against the fused histogram, '
    'averaged over sources',
)


# --- MI ----------------------------------------------------------------------------------------
def _mi_standard(fused, sources, gt):
    f = _levels(fused)
    return sum(_mutual_info(f, _levels(s)) for s in sources)


def _mi_cddfuse(fused, sources, gt):
    # scikit-learn's mutual_info_score on the (integer-valued) grey levels, natural log
    f = _levels(fused)
    return sum(_mutual_info(f, _levels(s), log=np.log) for s in sources)


def _vifb_norm_levels(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    lo, hi = x.min(), x.max()
    x = (x - lo) / (hi - lo) if hi != lo else np.zeros_like(x)
    return matlab_round(x * 255).astype(np.int64)  # int16() rounds halves away from zero


def _mi_vifb(fused, sources, gt):
    f = _vifb_norm_levels(fused)
    return sum(_mutual_info(_vifb_norm_levels(s), f, log=np.log) for s in sources)


def _mi_tang(fused, sources, gt):
    # Qu's code: H(S) + H(F) - H(F, S), the joint histogram indexed by uint8 + 1, which
    # saturates so levels 254 and 255 share a bin.
    f = as_u8(fused)
    hf = _entropy(np.bincount(f.ravel(), minlength=256))
    total = 0.0
    for s in sources:
        s = as_u8(s)
        hs = _entropy(np.bincount(s.ravel(), minlength=256))
        fi = np.minimum(f.astype(np.int64), 254)
        si = np.minimum(s.astype(np.int64), 254)
        total += hs + hf - _entropy(_joint(fi, si).ravel())
    return total


MI = define_metric(
    'MI',
    True,
    {
        'standard': _mi_standard,
        'cddfuse': _mi_cddfuse,
        'vifb': per_channel(_mi_vifb),
        'tang': _mi_tang,
    },
    description='mutual information between the fused image and each source, summed over '
    'sources (bits; nats under cddfuse and vifb)',
)
