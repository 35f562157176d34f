"""MEF-SSIM: Ma, Zeng and Wang's structural quality of a fused image against its source stack.

Ref: K. Ma, K. Zeng and Z. Wang, "Perceptual quality assessment for multi-exposure image
fusion", IEEE TIP 24(11), 2015; the authors' ``mef_ssim.m`` / ``mef_ms_ssim.m`` as MEFB ships
them: 11x11 windows, K = 0.03, the structure-consistency map R (p = tan(pi R / 2), capped at 10)
that weights the sources' signal strengths, 3 scales (2x2 mean, every other pixel) combined with
the weights (0.0448, 0.2856, 0.3001) normalised.

The authors loop over every window; here every per-window quantity is written with local
moments, so one box and one Gaussian filtering of the images and their pairwise products give
all windows at once: the desired block r = s sum_k a_k (X_k - mu_k) has Gaussian mean
s sum_k a_k (G X_k - mu_k), second moment s^2 sum_kl a_k a_l (G(X_k X_l) - mu_k G X_l - mu_l G X_k
+ mu_k mu_l) and cross moment with F s sum_k a_k (G(X_k F) - mu_k G F).
"""

from __future__ import annotations

import numpy as np

from .base import as_f64, define_metric, grey
from .filters import gaussian_1d, sep_filter_valid

WEIGHTS = np.array([0.0448, 0.2856, 0.3001])
_EPS = np.finfo(np.float64).eps


def mef_ssim_single(seq: np.ndarray, fused: np.ndarray, k: float = 0.03, win: int = 11) -> float:
    """MEF-SSIM at one scale of a (K, H, W) stack and an (H, W) fused image (0..255)."""
    n = seq.shape[0]
    box = np.ones(win) / win
    gauss = gaussian_1d(win, 1.5)
    mu = [sep_filter_valid(x, box) for x in seq]
    cov = {}  # box covariances of the sources, k <= l
    for i in range(n):
        for j in range(i, n):
            cov[i, j] = cov[j, i] = sep_filter_valid(seq[i] * seq[j], box) - mu[i] * mu[j]
    size = win * win
    strength = [np.sqrt(np.maximum(size * cov[i, i], 0)) for i in range(n)]
    ed = np.stack([s + 0.001 for s in strength])
    # structure consistency: |sum_k (x_k - mu_k)| / sum_k |x_k - mu_k|
    var_sum = sum(cov[i, j] for i in range(n) for j in range(n))
    r = (np.sqrt(np.maximum(size * var_sum, 0)) + _EPS) / (sum(strength) + _EPS)
    r = np.where(r > 1, 1 - _EPS, np.where(r < 0, _EPS, r))
    p = np.minimum(np.tan(np.pi / 2 * r), 10)
    w = (ed / win) ** p + _EPS
    w /= w.sum(0)
    a = w / ed  # coefficient of (X_k - mu_k) in the desired block
    max_ed = ed.max(0)
    norm2 = size * sum(a[i] * a[j] * cov[i, j] for i in range(n) for j in range(n))
    norm = np.sqrt(np.maximum(norm2, 0))
    scale = np.where(norm > 0, max_ed / np.where(norm > 0, norm, 1), 1)
    g = [sep_filter_valid(x, gauss) for x in seq]
    gf = sep_filter_valid(fused, gauss)
    mu1 = scale * sum(a[i] * (g[i] - mu[i]) for i in range(n))
    second = 0
    for i in range(n):
        for j in range(n):
            gij = sep_filter_valid(seq[i] * seq[j], gauss) if i <= j else None
            if gij is None:
                continue
            term = gij - mu[i] * g[j] - mu[j] * g[i] + mu[i] * mu[j]
            second = second + (1 if i == j else 2) * a[i] * a[j] * term
    sigma1 = scale * scale * second - mu1 * mu1
    sigma2 = sep_filter_valid(fused * fused, gauss) - gf * gf
    cross = scale * sum(
        a[i] * (sep_filter_valid(seq[i] * fused, gauss) - mu[i] * gf) for i in range(n)
    )
    sigma12 = cross - mu1 * gf
    c = (k * 255) ** 2
    return float(np.mean((2 * sigma12 + c) / (sigma1 + sigma2 + c)))


def _downsample(img: np.ndarray) -> np.ndarray:
    """``imfilter(img, ones(2) / 4, 'symmetric', 'same')`` then every other pixel."""
    p = np.pad(img, ((0, 1), (0, 1)), mode='symmetric')
    return ((p[:-1:2, :-1:2] + p[1::2, :-1:2]) + (p[:-1:2, 1::2] + p[1::2, 1::2]))[
        : (img.shape[0] + 1) // 2, : (img.shape[1] + 1) // 2
    ] / 4


def mef_ssim(sources, fused, levels: int = 3) -> float:
    """Multi-scale MEF-SSIM (``mef_ms_ssim``): prod_l Q_l^w_l with normalised weights."""
    seq = [as_f64(s) for s in sources]
    f = as_f64(fused)
    weights = WEIGHTS[:levels] / WEIGHTS[:levels].sum()
    if min(f.shape) / 2 ** (levels - 1) < 11:
        raise ValueError(
            f'MEF-SSIM needs images of at least {11 * 2 ** (levels - 1)} pixels '
            f'a side, got {f.shape}'
        )
    q = []
    for level in range(levels):
        if level:
            seq = [_downsample(s) for s in seq]
            f = _downsample(f)
        q.append(mef_ssim_single(np.stack(seq), f))
    return float(np.prod(np.asarray(q) ** weights))


def _mef_ssim(fused, sources, gt=None):
    return mef_ssim([grey(s) for s in sources], grey(fused))


MEF_SSIM = define_metric(
    'MEF_SSIM',
    True,
    {'standard': _mef_ssim, 'mefb': _mef_ssim},
    description='Ma et al. multi-scale MEF-SSIM of the fused image against the source stack '
    '(any N)',
    min_size=44,
    size_note='an 11x11 window at the third scale',
)
