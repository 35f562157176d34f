"""Deblurring restorers: non-blind deconvolution (scikit-image) with an assumed Gaussian PSF."""

from __future__ import annotations

import numpy as np

from fusionbox.registry import RESTORERS

from .base import BaseRestorer, per_channel


def gaussian_psf(sigma: float) -> np.ndarray:
    """A normalised 2D Gaussian kernel of standard deviation ``sigma`` (radius 3 sigma)."""
    radius = max(1, int(np.ceil(3 * sigma)))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-(x**2) / (2 * sigma**2))
    psf = np.outer(g, g)
    return psf / psf.sum()


@RESTORERS.register_module()
class RichardsonLucyDeblur(BaseRestorer):
    """Richardson-Lucy deconvolution (``skimage.restoration.richardson_lucy``) with a Gaussian
    PSF of the middle of the degradation's range (the record names the blur, the prompt does not
    give its width: the cascade gets the same information as the prompted model).

    Paper: Richardson, "Bayesian-based iterative method of image restoration", JOSA 1972; Lucy,
    "An iterative technique for the rectification of observed distributions", AJ 1974.

    Args:
        sigma: PSF standard deviation in pixels. Defaults to 2.0 (GaussianBlur draws 1 to 3).
        iterations: Richardson-Lucy iterations. Defaults to 10.
    """

    restores = ('GaussianBlur', 'DefocusBlur')

    def __init__(self, sigma: float = 2.0, iterations: int = 10) -> None:
        self.psf = gaussian_psf(sigma)
        self.sigma, self.iterations = sigma, iterations

    def restore(self, image):
        from skimage.restoration import richardson_lucy

        pad = self.psf.shape[0]

        def one(x):
            padded = np.pad(x.astype(np.float64), pad, mode='reflect') + 1e-3
            out = richardson_lucy(padded, self.psf, num_iter=self.iterations, clip=False)
            return out[pad:-pad, pad:-pad] - 1e-3

        return per_channel(one, image)


@RESTORERS.register_module()
class WienerDeblur(BaseRestorer):
    """Wiener deconvolution (``skimage.restoration.wiener``) with a Gaussian PSF: for motion
    blur of unknown direction (a blind estimate is out of a cascade's reach) and for the
    resampling blur of a low-resolution capture.

    Paper: Wiener, "Extrapolation, interpolation, and smoothing of stationary time series", 1949;
    the regularised (Tikhonov) form of ``skimage.restoration.wiener``.

    Args:
        sigma: PSF standard deviation in pixels. Defaults to 1.5.
        balance: regularisation (noise-to-signal). Defaults to 0.05.
    """

    restores = ('MotionBlur', 'Downsample')

    def __init__(self, sigma: float = 1.5, balance: float = 0.05) -> None:
        self.psf = gaussian_psf(sigma)
        self.sigma, self.balance = sigma, balance

    def restore(self, image):
        from skimage.restoration import wiener

        pad = self.psf.shape[0]

        def one(x):
            padded = np.pad(x.astype(np.float64), pad, mode='reflect')
            return wiener(padded, self.psf, self.balance, clip=False)[pad:-pad, pad:-pad]

        return per_channel(one, image)
