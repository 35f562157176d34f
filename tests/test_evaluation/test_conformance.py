"""Protocols against the values their evaluators published (needs ../shared/data)."""

import numpy as np
import pytest

from fusionbox.evaluation.conformance import REFERENCE_SETS, conformance
from fusionbox.evaluation.functional.perceptual import normalize_255
from fusionbox.utils.paths import shared_data_root

ROOT = shared_data_root()
needs_shared_data = pytest.mark.skipif(
    not (ROOT / 'reference').is_dir(),
    reason=f'shared reference data not found at {ROOT} ' '(set FUSIONBOX_SHARED_DATA)',
)

# VIFB publishes ~5 significant digits (rounding alone is up to 5e-5 relative); tang's values
# are full double precision.
VIFB_STEMS = ['carLight', 'manCall', 'walking']  # a fast subset; all 21 pass the same check
VIFB_TOL = 1e-4
# pairs where Liu's normalize1 (Qcb, Qcv) meets many exact halves (an 8-bit channel with an even
# range, e.g. carWhite's infrared 7..177): only MATLAB's round (halves away from zero) matches,
# NumPy's halves-to-even was up to 1.1e-3 off
VIFB_HALVES_STEMS = ['carWhite', 'nightCar', 'manwithbag']


def test_normalize_255_rounds_halves_away_from_zero():
    # range 7..177: 255 * (x - 7) / 170 = 1.5 * (x - 7), a half at every other level
    x = np.array([[7, 8, 9, 10, 11, 12, 177]], dtype=np.uint8)
    np.testing.assert_array_equal(normalize_255(x), [[0, 2, 3, 5, 6, 8, 255]])


@pytest.mark.shared_data
@needs_shared_data
def test_tang_reproduces_seafusion_tno_table():
    result = conformance('tang')
    assert set(result) == {'EN', 'SF', 'SD', 'PSNR', 'MSE', 'MI', 'VIF', 'AG', 'CC', 'SCD', 'Qabf'}
    for name, (worst, rows) in result.items():
        assert len(rows) == 10
        assert worst < 1e-8, (name, rows)


@pytest.mark.shared_data
@needs_shared_data
def test_vifb_reproduces_adf_table():
    result = conformance('vifb', stems=VIFB_STEMS)
    assert set(result) == set(REFERENCE_SETS['vifb']['names'].values())
    for name, (worst, rows) in result.items():
        assert worst < VIFB_TOL, (name, rows)


@pytest.mark.shared_data
@needs_shared_data
def test_vifb_qcb_qcv_on_pairs_with_rounding_halves():
    result = conformance('vifb', metrics=('Qcb', 'Qcv'), stems=VIFB_HALVES_STEMS)
    assert set(result) == {'Qcb', 'Qcv'}
    for name, (worst, rows) in result.items():
        assert len(rows) == len(VIFB_HALVES_STEMS)
        assert worst < VIFB_TOL, (name, rows)
