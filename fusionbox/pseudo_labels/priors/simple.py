"""Pixel-level baselines: averaging, choose-max and PCA weighting."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import PRIORS

from .base import BasePrior


@PRIORS.register_module()
class Average(BasePrior):
    """Pixel-wise mean of the sources.

    Paper: the averaging baseline of Li, Kang, Fang, Hu, Yin, "Pixel-level image fusion: A survey
    of the state of the art", Information Fusion 33, 2017.
    """

    def fuse(self, lumas, sources=(), sample=None):
        return lumas.mean(0)


@PRIORS.register_module()
class ChooseMax(BasePrior):
    """Pixel-wise maximum of the sources (keeps the brightest, e.g. infrared targets).

    Paper: the choose-max baseline of Li et al., "Pixel-level image fusion: A survey of the
    state of the art", Information Fusion 33, 2017.
    """

    def fuse(self, lumas, sources=(), sample=None):
        return lumas.max(0)


@PRIORS.register_module()
class PCA(BasePrior):
    """Weighted mean with weights from the principal component of the sources' covariance.

    The N sources are N variables; the eigenvector of the largest eigenvalue of their N x N
    covariance, normalised to sum one, weights them.

    Paper: Naidu and Raol, "Pixel-level image fusion using wavelets and principal component
    analysis", Defence Science Journal 58(3), 2008.
    """

    def fuse(self, lumas, sources=(), sample=None):
        return np.tensordot(pca_weights(lumas), lumas, axes=1)


def pca_weights(stack: np.ndarray) -> np.ndarray:
    """Weights (N,) from the principal eigenvector of the covariance of ``stack`` (N, ...)."""
    flat = stack.reshape(stack.shape[0], -1).astype(np.float64)
    cov = np.atleast_2d(np.cov(flat))
    vals, vecs = np.linalg.eigh(cov)
    v = np.abs(vecs[:, -1])
    if not np.isfinite(v).all() or v.sum() < 1e-12:
        return np.full(stack.shape[0], 1.0 / stack.shape[0])
    return v / v.sum()
