"""Liu-toolbox metrics (NMI, TE, Qncie, Qy, Qc, Qs, Qw, Qe) and the mefb protocol: identities."""

import numpy as np
import pytest

from fusionbox.evaluation.functional import get_metric, list_metrics


def _smooth(h=48, w=56, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 5.0 + seed) * np.cos(y / 7.0 + seed) + rng.normal(0, 8, (h, w))
    return np.clip(np.round(img), 0, 255)


A, B = _smooth(seed=1), _smooth(seed=2)
F = np.round((A + B) / 2)
UNIFORM = np.random.default_rng(3).permutation(np.arange(256.0)).reshape(16, 16)


def test_registered_with_direction_and_protocols():
    for name in ('NMI', 'TE', 'Qncie', 'Qy', 'Qc', 'Qs', 'Qw', 'Qe'):
        fn = get_metric(name)
        assert fn.higher_is_better and 'standard' in fn.spec.protocols
    assert {'NMI', 'TE', 'Qncie', 'Qy', 'Qc', 'Qw'} <= set(list_metrics('mefb'))


@pytest.mark.parametrize('protocol', ['standard', 'mefb'])
def test_nmi_identities(protocol):
    nmi = get_metric('NMI')
    assert nmi(A, [A], protocol=protocol) == pytest.approx(1.0)
    assert nmi(A, [A, A], protocol=protocol) == pytest.approx(2.0)
    assert 0 < nmi(F, [A, B], protocol=protocol) < 2


def test_te_of_an_image_with_itself():
    p = np.bincount(A.astype(int).ravel(), minlength=256) / A.size
    p = p[p > 0]
    q = 1.85
    expected = (1 - (p ** (2 - q)).sum()) / (1 - q)  # p_ii^q / (p_i p_i)^(q-1)
    assert get_metric('TE')(A, [A]) == pytest.approx(expected)
    assert get_metric('TE')(UNIFORM, [UNIFORM], protocol='mefb') == pytest.approx(
        (1 - 256 * (1 / 256) ** (2 - q)) / (1 - q)
    )


def test_qncie_identities():
    qncie = get_metric('Qncie')
    # a uniform 256-level image: NCC = H / 8 = 1, R is all ones, eigenvalues (3, 0, 0)
    assert qncie(UNIFORM, [UNIFORM, UNIFORM]) == pytest.approx(1.0)
    assert qncie(UNIFORM, [UNIFORM, UNIFORM], protocol='mefb') == pytest.approx(1.0)
    assert 0 < qncie(F, [A, B]) < 1


@pytest.mark.parametrize('name', ['Qy', 'Qc', 'Qs', 'Qw', 'Qe'])
def test_structural_metrics_are_one_for_identical_images(name):
    fn = get_metric(name)
    assert fn(A, [A, A]) == pytest.approx(1.0)
    assert fn(F, [A, B]) < 1
    if 'mefb' in fn.spec.protocols:
        assert fn(A, [A, A], protocol='mefb') == pytest.approx(1.0)
    with pytest.raises(ValueError, match='exactly two sources'):
        fn(A, [A])


def test_mefb_colour_handling():
    rgb = np.stack([A, B, F], -1).astype(np.uint8)
    nmi = get_metric('NMI')
    # grey sources with a colour fused image: its red channel only
    assert nmi(rgb, [A, B], protocol='mefb') == pytest.approx(nmi(A, [A, B], protocol='mefb'))
    # colour sources: per channel, averaged
    expected = np.mean(
        [nmi(rgb[..., k], [rgb[..., k], rgb[..., k]], protocol='mefb') for k in range(3)]
    )
    assert nmi(rgb, [rgb, rgb], protocol='mefb') == pytest.approx(expected)
