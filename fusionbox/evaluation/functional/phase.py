"""Qp: Zhao, Laganiere and Liu's phase-congruency-based fusion metric.

Ref: J. Zhao, R. Laganiere and Z. Liu, "Performance assessment of combinative pixel-level image
fusion based on an absolute feature measurement", IJICIC 3(6A), 2007; Liu's ``metricZhao.m``
and ``myphasecong3.m`` (a revision of P. Kovesi's ``phasecong3.m``), as MEFB's ``metricsQp.m``
ships them. Phase congruency uses a log-Gabor bank in the frequency domain (4 scales, minimum
wavelength 3, factor 2.1, sigma_on_f 0.55; 6 orientations, d_theta_on_sigma 1.2; noise
k = 2 with the empirical 1 / 1.7 rescaling; frequency-spread weighting cut-off 0.5, g = 10). The
phase congruency map P, the maximum and minimum moments M, m of its covariance are each compared
with the fused image's by Gaussian (11x11, sigma 1.5) correlation coefficients in the feature
regions (P > 0.1) of each source and of the source-wise maximum; Qp = Q_P Q_M Q_m.

Filters depend only on the image size and are built once per size; each orientation's scales
are filtered in one batched inverse FFT, and the per-pixel terms of an orientation are one
compiled pass (numba, :mod:`.phase_kernels`; the first Qp on a machine compiles it). The
orientations, their sums (by bands of rows) and the correlation coefficients' local moments
run in the metric threads of :func:`~.parallel.parallel_map`; their results are combined in
order, so the value does not depend on the number of threads.
"""

from __future__ import annotations

import queue
from functools import lru_cache

import numpy as np
from scipy import fft as scipy_fft

from .base import MetricUndefinedError, as_f64, define_metric, grey, mefb_channels
from .cache import cached, keyed_grey, scoped
from .filters import gaussian_1d, sep_filter_same
from .parallel import default_threads, parallel_map

PC_EPS = 1e-4
FEATURE_THRESHOLD = 0.1


def _lowpass(rows: int, cols: int, cutoff: float = 0.45, n: int = 15) -> np.ndarray:
    """Kovesi's ``lowpassfilter``: a Butterworth low-pass, fftshift-ed (zero frequency at the
    corner for even sizes)."""
    x = (np.arange(1, cols + 1) - (cols // 2 + 1)) / cols
    y = (np.arange(1, rows + 1) - (rows // 2 + 1)) / rows
    radius = np.sqrt(x[None, :] ** 2 + y[:, None] ** 2)
    return np.fft.fftshift(1.0 / (1.0 + (radius / cutoff) ** (2 * n)))


@lru_cache(maxsize=8)
def _filter_bank(
    rows,
    cols,
    nscale=4,
    norient=6,
    min_wavelength=3,
    mult=2.1,
    sigma_on_f=0.55,
    d_theta_on_sigma=1.2,
):
    """(filters (norient, nscale, rows, cols), noise terms per orientation)."""
    if cols % 2:
        xr = np.arange(-(cols - 1) / 2, (cols - 1) / 2 + 1) / (cols - 1)
    else:
        xr = np.arange(-cols / 2, cols / 2) / cols
    if rows % 2:
        yr = np.arange(-(rows - 1) / 2, (rows - 1) / 2 + 1) / (rows - 1)
    else:
        yr = np.arange(-rows / 2, rows / 2) / rows
    x, y = np.meshgrid(xr, yr)
    radius = np.sqrt(x * x + y * y)
    radius[rows // 2, cols // 2] = 1
    theta = np.arctan2(-y, x)
    radius = np.fft.ifftshift(radius)
    theta = np.fft.ifftshift(theta)
    sin_t, cos_t = np.sin(theta), np.cos(theta)
    lp = _lowpass(rows, cols)
    log_gabor = []
    for s in range(nscale):
        fo = 1.0 / (min_wavelength * mult**s)
        lg = np.exp(-(np.log(radius / fo) ** 2) / (2 * np.log(sigma_on_f) ** 2)) * lp
        lg[0, 0] = 0
        log_gabor.append(lg)
    theta_sigma = np.pi / norient / d_theta_on_sigma
    bank = np.empty((norient, nscale, rows, cols))
    noise = []
    for o in range(norient):
        angl = o * np.pi / norient
        ds = sin_t * np.cos(angl) - cos_t * np.sin(angl)
        dc = cos_t * np.cos(angl) + sin_t * np.sin(angl)
        spread = np.exp(-(np.abs(np.arctan2(ds, dc)) ** 2) / (2 * theta_sigma**2))
        for s in range(nscale):
            bank[o, s] = log_gabor[s] * spread
        ifft_filt = np.real(np.fft.ifft2(bank[o])) * np.sqrt(rows * cols)
        sum_an2 = np.sum(ifft_filt**2)
        sum_aiaj = sum(
            np.sum(ifft_filt[i] * ifft_filt[j])
            for i in range(nscale - 1)
            for j in range(i + 1, nscale)
        )
        em_n = np.sum(bank[o, 0] ** 2)
        noise.append((em_n, sum_an2, sum_aiaj))
    bank.setflags(write=False)
    return bank, tuple(noise)


def phase_congruency(img, k: float = 2.0, cut_off: float = 0.5, g: float = 10.0):
    """``myphasecong3``: (phase congruency, maximum moment M, minimum moment m) of a grey
    image. The per-pixel terms are compiled loops (:mod:`.phase_kernels`, imported on first
    use); the FFTs, medians and exponentials are SciPy's and NumPy's."""
    from . import phase_kernels as kernels  # numba: imported on first use

    im = as_f64(img)
    rows, cols = im.shape
    bank, noise = _filter_bank(rows, cols)
    norient = bank.shape[0]
    image_fft = scipy_fft.fft2(im)

    # scratch of the tasks running at once, reused (fresh pages cost more than the passes)
    scratch = queue.SimpleQueue()
    for _ in range(min(norient, default_threads())):
        scratch.put((np.empty(bank.shape[1:], np.complex128), np.empty_like(im)))

    def orientation(o):  # (energy, amplitude sum, exp(frequency spread), noise threshold)
        work = scratch.get()
        try:
            return _orientation(o, *work)
        finally:
            scratch.put(work)

    def _orientation(o, buf, an0_sq):
        sum_an, energy, spread = (np.empty_like(im) for _ in range(3))
        np.multiply(image_fft, bank[o], out=buf)  # (nscale, rows, cols)
        eo = scipy_fft.ifft2(buf, axes=(-2, -1), overwrite_x=True)
        kernels.scale_sums(eo, PC_EPS, float(cut_off), float(g), sum_an, an0_sq, energy, spread)
        del eo
        em_n, sum_an2, sum_aiaj = noise[o]
        median_e2n = kernels.median_nonnegative(an0_sq)  # np.median, faster
        noise_power = (-median_e2n / np.log(0.5)) / em_n
        est_noise_energy2 = 2 * noise_power * sum_an2 + 4 * noise_power * sum_aiaj
        tau = np.sqrt(est_noise_energy2 / 2)
        threshold = (tau * np.sqrt(np.pi / 2) + k * np.sqrt((2 - np.pi / 2) * tau**2)) / 1.7
        np.exp(spread, out=spread)
        return energy, sum_an, spread, float(threshold)

    responses = parallel_map(orientation, range(norient))
    totals = np.zeros((5, rows, cols))  # energy, amplitude, covariance x^2, y^2, xy

    def accumulate(band):  # a band of rows, the orientations added in order (the serial sums)
        for o, (energy, sum_an, spread, threshold) in enumerate(responses):
            angl = o * np.pi / norient
            # (no filter response at all, a flat image: no phase congruency, 0 / 0 in the code)
            kernels.accumulate(
                energy[band],
                sum_an[band],
                spread[band],
                threshold,
                float(np.cos(angl) ** 2),
                float(np.sin(angl) ** 2),
                float(np.cos(angl) * np.sin(angl)),
                totals[:, band],
            )

    parallel_map(accumulate, _halves(rows))
    return kernels.moments(totals, float(norient), PC_EPS)


_GAUSS_11 = gaussian_1d(11, 1.5)


def _filter_same(x):
    """``filter2(fspecial('gaussian', 11, 1.5), x, 'same')``, separably."""
    return sep_filter_same(x, _GAUSS_11)


def _halves(rows: int) -> list:
    """Two bands of rows, for per-pixel passes split over the metric threads."""
    return [slice(0, rows // 2), slice(rows // 2, rows)]


def _corr_coefficient(feats, pick, feat_f, masks, c=1e-4) -> float:
    """``correlation_coeffcient`` for the sources' masked feature maps ``feats`` and their
    maximum (at each pixel the map of source ``pick``), against the fused feature map: max
    over the maps of the local correlation in each map's region, summed and divided by the
    area of the last (maximum) region. The local moments are filtered in the metric threads,
    the maximum taken in the maps' order."""
    from . import phase_kernels as kernels  # numba: imported on first use

    def moments(k):  # the fused map's mean and variance (k = -1), or map k's local moments
        if k < 0:
            muf = _filter_same(feat_f)
            return muf, _filter_same(feat_f * feat_f) - muf * muf
        feat = feats[k] if k < len(feats) else np.choose(pick, feats)  # the maximum's
        x, xx, xf = (np.empty_like(feat_f) for _ in range(3))
        kernels.masked_products(feat, masks[k], feat_f, x, xx, xf)
        return _filter_same(x), _filter_same(xx), _filter_same(xf)

    (muf, sf2), *local = parallel_map(moments, range(-1, len(feats) + 1))
    best = np.empty_like(muf)

    def correlate(band):  # the maps' local correlations, maximum in the maps' order
        for k, ((mu, mean_xx, mean_xf), mask) in enumerate(zip(local, masks)):
            kernels.best_correlation(
                mu[band], mean_xx[band], mean_xf[band], muf[band], sf2[band], mask[band], c,
                best[band], k == 0,
            )  # fmt: skip

    parallel_map(correlate, _halves(best.shape[0]))
    area = masks[-1].sum()
    if area == 0:
        raise MetricUndefinedError(
            f'Qp is undefined: the sources have no feature region (phase congruency > '
            f'{FEATURE_THRESHOLD}), e.g. flat sources; the published code gives 0 / 0 = NaN'
        )
    return float(best.sum() / area)


def qp(fused, sources) -> float:
    """Qp for N sources (Liu's code for two): the source-wise maximum takes, at each pixel,
    the features of the source with the largest phase congruency (ties: the later source)."""
    pcs = [cached('phase-congruency', (s,), lambda s=s: phase_congruency(s)) for s in sources]
    pc_f = phase_congruency(fused)
    pc = np.stack([p[0] for p in pcs])
    pick = len(pcs) - 1 - np.argmax(pc[::-1], axis=0)
    masks = [p[0] > FEATURE_THRESHOLD for p in pcs]
    masks.append(np.choose(pick, [p[0] for p in pcs]) > FEATURE_THRESHOLD)  # the maximum's

    out = 1.0
    for k in range(3):  # Q_P, Q_M, Q_m
        out *= _corr_coefficient([p[k] for p in pcs], pick, pc_f[k], masks)
    return float(out)


def _qp(fused, sources, gt=None):
    return qp(grey(fused), [keyed_grey(s) for s in sources])


Qp = define_metric(
    'Qp',
    True,
    {'standard': _qp, 'mefb': scoped(mefb_channels(_qp))},
    description='Zhao et al. phase-congruency feature metric Q_P Q_M Q_m (any N)',
)
