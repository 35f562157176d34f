"""Textbook identities and agreement with scikit-image / scikit-learn for the metric functions."""

import numpy as np
import pytest

from fusionbox.evaluation.functional import (
    PROTOCOLS,
    MetricUndefinedError,
    compute_metrics,
    evaluate_image,
    get_metric,
    list_metrics,
)
from fusionbox.registry import FUSION_METRICS

RNG = np.random.default_rng(0)


def _smooth(h=64, w=80, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 7.0 + seed) * np.cos(y / 9.0) + rng.normal(0, 8, (h, w))
    return np.clip(np.round(img), 0, 255)


A, B = _smooth(seed=1), _smooth(seed=2)
F = np.round((A + B) / 2)


def test_registry_has_directions_and_protocols():
    for name in (
        'EN',
        'SD',
        'SF',
        'AG',
        'SSIM',
        'PSNR',
        'Qabf',
        'MI',
        'CC',
        'SCD',
        'MSE',
        'PSNR_ref',
        'SSIM_ref',
        'MAE_ref',
        'VIF',
        'Qcb',
        'Qcv',
        'CE',
        'EI',
        'RMSE',
    ):
        fn = FUSION_METRICS.get(name)
        assert fn is not None and fn.spec.name == name
        assert 'standard' in fn.spec.protocols
    assert get_metric('MSE').higher_is_better is False
    assert get_metric('Qcv').higher_is_better is False
    assert get_metric('Qabf').higher_is_better is True
    assert len(list_metrics('cddfuse')) >= 12
    with pytest.raises(KeyError, match='unknown fusion metric'):
        get_metric('nope')
    with pytest.raises(KeyError, match='not defined under protocol'):
        get_metric('EI')(F, [A, B], protocol='cddfuse')
    with pytest.raises(ValueError, match='unknown metric protocol'):
        get_metric('EN')(F, [A, B], protocol='bogus')


def test_entropy_identities():
    en = get_metric('EN')
    assert en(np.full((16, 16), 77.0)) == 0
    uniform = np.arange(256, dtype=np.float64).reshape(16, 16)
    for protocol in PROTOCOLS:
        assert en(uniform, protocol=protocol) == pytest.approx(8.0)


def test_mi_of_image_with_itself_is_its_entropy():
    en, mi = get_metric('EN'), get_metric('MI')
    assert mi(F, [F]) == pytest.approx(en(F))
    assert mi(F, [F], protocol='tang') == pytest.approx(en(F))  # bits, no 254/255 in F
    assert mi(F, [F], protocol='cddfuse') == pytest.approx(en(F) * np.log(2))  # nats


def test_mi_cddfuse_matches_sklearn():
    mutual_info_score = pytest.importorskip('sklearn.metrics').mutual_info_score
    ref = sum(mutual_info_score(F.ravel(), s.ravel()) for s in (A, B))
    assert get_metric('MI')(F.astype(np.float32), [A, B], protocol='cddfuse') == pytest.approx(
        ref, rel=1e-10
    )


def test_ssim_identities_and_skimage():
    structural_similarity = pytest.importorskip('skimage.metrics').structural_similarity
    ssim = get_metric('SSIM')
    assert ssim(F, [F]) == pytest.approx(1.0)
    assert ssim(F, [F, F], protocol='vifb') == pytest.approx(2.0)
    ref = structural_similarity(
        A, F, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    # scikit-image pads instead of taking the 'valid' part: compare loosely
    assert ssim(F, [A]) == pytest.approx(ref, abs=0.02)
    f32, a32, b32 = (x.astype(np.float32) for x in (F, A, B))
    ref = structural_similarity(f32, a32, data_range=2) + structural_similarity(
        f32, b32, data_range=2
    )
    assert ssim(f32, [a32, b32], protocol='cddfuse') == pytest.approx(ref, rel=1e-5)
    assert get_metric('SSIM_ref')(F, [A], gt=F) == pytest.approx(1.0)


def test_psnr_mse_against_known_error():
    img = np.full((8, 8), 100.0)
    noisy = img + 5.0  # MSE = 25
    assert get_metric('MSE')(noisy, [img]) == pytest.approx(25.0)
    assert get_metric('PSNR')(noisy, [img]) == pytest.approx(10 * np.log10(255**2 / 25.0))
    assert get_metric('PSNR_ref')(noisy, [], gt=img) == pytest.approx(10 * np.log10(255**2 / 25.0))
    assert get_metric('PSNR_ref')(img, [], gt=img) == np.inf
    assert get_metric('MAE_ref')(noisy, [], gt=img) == pytest.approx(5.0)
    with pytest.raises(ValueError, match='needs gt'):
        get_metric('PSNR_ref')(img, [img])
    # cddfuse: peak = max(F), not 255
    assert get_metric('PSNR')(noisy.astype(np.float32), [img], protocol='cddfuse') == pytest.approx(
        10 * np.log10(105.0**2 / 25.0), rel=1e-6
    )


def test_sd_sf_ag_simple_cases():
    ramp = np.tile(np.arange(10.0) * 3, (6, 1))  # horizontal slope 3
    assert get_metric('SD')(ramp) == pytest.approx(np.std(ramp))
    assert get_metric('SF')(ramp) == pytest.approx(3.0)
    assert get_metric('AG')(ramp) == pytest.approx(3 / np.sqrt(2))
    assert get_metric('AG')(ramp, protocol='cddfuse') == pytest.approx(3 / np.sqrt(2))
    assert get_metric('SF')(ramp, protocol='tang') == pytest.approx(3.0 / 255)
    assert get_metric('EI')(np.full((9, 9), 4.0)) == 0


def test_cc_scd():
    assert get_metric('CC')(F, [F]) == pytest.approx(1.0)
    assert get_metric('CC')(F, [255 - F]) == pytest.approx(-1.0)
    # F = A + B: F - B = A and F - A = B, so SCD = 2
    assert get_metric('SCD')(A + B, [A, B]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match='exactly two sources'):
        get_metric('SCD')(F, [A])


def test_qabf_identities():
    from fusionbox.evaluation.functional.edge import DA, DG, KA, KG, TA, TG

    qabf = get_metric('Qabf')
    flat = np.zeros_like(A)  # no edges, not even at the zero-padded border
    expected = TG / (1 + np.exp(KG * (1 - DG))) * TA / (1 + np.exp(KA * (1 - DA)))
    # F = A with B constant: every edge of A kept with its strength and orientation
    assert qabf(A, [A, flat]) == pytest.approx(expected)
    # the evaluators' branch G = gF on equal strengths saturates Qg to Tg on 0..255 data
    assert qabf(A.astype(np.float32), [A, flat], protocol='cddfuse') == pytest.approx(
        TG * TA / (1 + np.exp(KA * (1 - DA))), rel=1e-5
    )
    assert 0 < qabf(F, [A, B]) < expected


def test_vif_identity_and_range():
    vif = get_metric('VIF')
    big_a, big_f = _smooth(128, 128, 3), _smooth(128, 128, 4)
    assert vif(big_a, [big_a]) == pytest.approx(1.0)
    assert 0 < vif(big_f, [big_a]) < 1
    # constant reference: nan, mapped to 1 per source by CDDFuse's evaluator
    flat = np.full((128, 128), 9.0)
    assert vif(big_a, [flat, flat], protocol='cddfuse') == pytest.approx(2.0)


def test_qcb_qcv_identities():
    a, b = _smooth(64, 64, 5), _smooth(64, 64, 6)
    assert get_metric('Qcv')(a, [a, a]) == pytest.approx(0.0, abs=1e-9)
    assert get_metric('Qcb')(a, [a, a]) == pytest.approx(1.0)
    assert get_metric('Qcv')(a, [a, b]) > 0


def test_vifb_colour_per_channel():
    rgb = np.stack([A, B, F], -1).astype(np.uint8)
    grey_ir = A.astype(np.uint8)
    en = get_metric('EN')
    expected = np.mean([en(rgb[..., k], protocol='vifb') for k in range(3)])
    assert en(rgb, [rgb, grey_ir], protocol='vifb') == pytest.approx(expected)
    # VIFB's SF folds channels side by side
    sf = get_metric('SF')(rgb, protocol='vifb')
    wide = np.concatenate([rgb[..., k] for k in range(3)], 1).astype(float)
    assert sf == pytest.approx(
        np.sqrt(
            ((np.diff(wide, axis=1) ** 2).sum() + (np.diff(wide, axis=0) ** 2).sum()) / wide.size
        )
    )


def test_compute_metrics_skips_reference_without_gt():
    out = compute_metrics(['EN', 'PSNR_ref'], F, [A, B])
    assert set(out) == {'EN'}
    out = compute_metrics(['EN', 'PSNR_ref'], F, [A, B], gt=A)
    assert set(out) == {'EN', 'PSNR_ref'}


@pytest.mark.parametrize('protocol', ['cddfuse', 'standard'])
def test_evaluate_image_threads_give_the_serial_values_in_order(protocol):
    names = ['EN', 'SD', 'SF', 'MI', 'VIF', 'Qabf', 'SSIM']
    serial, err1 = evaluate_image(names, F, [A, B], protocol=protocol, threads=1)
    threaded, err2 = evaluate_image(names, F, [A, B], protocol=protocol, threads=3)
    assert list(serial) == list(threaded) == names and not err1 and not err2
    assert threaded == serial  # bit-identical: each metric is computed the same way
    for name in names:
        assert serial[name] == get_metric(name)(F, [A, B], protocol=protocol)


def test_evaluate_image_collects_errors_and_compute_metrics_raises():
    flat = np.full_like(A, 7.0)
    names = ['EN', 'Qp', 'SD', 'MS_SSIM']
    values, errors = evaluate_image(names, flat, [flat, flat], threads=2)
    assert list(values) == ['EN', 'SD'] and values['SD'] == 0.0
    assert list(errors) == ['Qp', 'MS_SSIM']
    assert 'no feature region' in errors['Qp'] and 'at least 176 pixels' in errors['MS_SSIM']
    with pytest.raises(MetricUndefinedError, match='Qp'):
        compute_metrics(['EN', 'Qp'], flat, [flat, flat])


def test_parallel_map_keeps_order_and_the_callers_float_error_state():
    import warnings

    from fusionbox.evaluation.functional.parallel import parallel_map

    def divide(x):
        return np.array(x) / np.array(0.0)

    assert parallel_map(lambda x: x * x, range(6), size=3) == [0, 1, 4, 9, 16, 25]
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # a RuntimeWarning from any worker would fail here
        with np.errstate(all='ignore'):
            assert parallel_map(divide, [1.0, -1.0], size=2) == [np.inf, -np.inf]
    with np.errstate(all='raise'), pytest.raises(FloatingPointError):
        parallel_map(divide, [1.0, 2.0], size=2)
