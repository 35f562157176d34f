"""Protocols against the values their evaluators published (needs ../shared/data)."""

import pytest

from fusionbox.evaluation.conformance import REFERENCE_SETS, conformance
from fusionbox.utils.paths import shared_data_root

ROOT = shared_data_root()
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(
        not (ROOT / 'reference').is_dir(),
        reason=f'shared reference data not found at {ROOT} ' '(set FUSIONBOX_SHARED_DATA)',
    ),
]

# VIFB publishes ~5 significant digits (rounding alone is up to 5e-5 relative); tang's values
# are full double precision.
VIFB_STEMS = ['carLight', 'manCall', 'walking']  # a fast subset; all 21 pass the same check
VIFB_TOL = 1e-4


def test_tang_reproduces_seafusion_tno_table():
    result = conformance('tang')
    assert set(result) == {'EN', 'SF', 'SD', 'PSNR', 'MSE', 'MI', 'VIF', 'AG', 'CC', 'SCD', 'Qabf'}
    for name, (worst, rows) in result.items():
        assert len(rows) == 10
        assert worst < 1e-8, (name, rows)


def test_vifb_reproduces_adf_table():
    result = conformance('vifb', stems=VIFB_STEMS)
    assert set(result) == set(REFERENCE_SETS['vifb']['names'].values())
    for name, (worst, rows) in result.items():
        assert worst < VIFB_TOL, (name, rows)
