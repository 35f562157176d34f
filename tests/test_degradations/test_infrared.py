"""Stripe noise adds energy that is constant down each column."""

import numpy as np
import pytest

from fusionbox.degradations import StripeNoise


def test_stripe_noise_is_column_correlated(grey):
    out, params = StripeNoise(sigma=0.05, gain_sigma=0.0).degrade(
        grey * 0.5 + 0.25, np.random.default_rng(0)
    )
    diff = (out - (grey * 0.5 + 0.25))[..., 0]
    column_profile = diff.mean(axis=0)  # one offset per column
    assert column_profile.var() == pytest.approx(0.05**2, rel=0.3)
    assert diff.std(axis=0).max() < 1e-6  # constant down every column
    assert diff.mean(axis=1).var() < 0.05 * column_profile.var()  # no row structure


def test_stripe_noise_with_gains_and_rows(grey):
    out, _ = StripeNoise(sigma=0.0, gain_sigma=0.1).degrade(grey, np.random.default_rng(0))
    ratio = out[..., 0] / np.maximum(grey[..., 0], 1e-3)
    bright = grey[..., 0] > 0.2
    per_column = [
        np.ptp(ratio[bright[:, c], c]) for c in range(grey.shape[1]) if bright[:, c].sum() > 5
    ]
    assert np.median(per_column) < 1e-3  # one gain per column
    out, _ = StripeNoise(sigma=0.05, direction='row').degrade(
        grey * 0.5 + 0.25, np.random.default_rng(0)
    )
    diff = (out - (grey * 0.5 + 0.25))[..., 0]
    assert diff.mean(axis=1).var() > 10 * diff.mean(axis=0).var()


def test_stripe_noise_is_meant_for_infrared_only():
    assert StripeNoise().accepts('ir') and not StripeNoise().accepts('vi')
    assert StripeNoise(applies_to=('ir', 'pet')).accepts('pet')
