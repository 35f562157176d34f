"""The shared-data guard: skips are reported with reasons, and a shared-data skip fails when the
data is present (run in a subprocess on a throw-away test file)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest

def test_reads_the_data():
    pytest.skip('real test data not found at /x (set FUSIONBOX_SHARED_DATA to its folder)')

@pytest.mark.shared_data
def test_marked():
    pytest.skip('one subset is missing')

@pytest.mark.skipif(True, reason='optional package not installed')
def test_optional():
    pass

@pytest.mark.xfail(reason='known', strict=False)
@pytest.mark.shared_data
def test_expected_to_fail():
    assert False

def test_runs():
    assert True
"""


def run_pytest(folder: Path, shared: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        'PYTHONPATH': os.pathsep.join([str(TESTS), os.environ.get('PYTHONPATH', '')]),
        'FUSIONBOX_SHARED_DATA': str(shared),
    }
    cmd = [sys.executable, '-m', 'pytest', '-p', 'shared_data_guard', '-p', 'no:cacheprovider']
    cmd += ['-q', '-rfEs', '-n', '0', '-W', 'ignore::pytest.PytestUnknownMarkWarning', str(folder)]
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def sample_suite(tmp_path):
    (tmp_path / 'suite').mkdir()
    (tmp_path / 'suite' / 'test_sample.py').write_text(SAMPLE)
    return tmp_path / 'suite'


def test_without_the_data_the_skips_pass_and_their_reasons_are_listed(sample_suite, tmp_path):
    proc = run_pytest(sample_suite, tmp_path / 'absent')
    assert proc.returncode == 0, proc.stdout
    assert '3 skipped' in proc.stdout and '1 passed' in proc.stdout
    assert 'SKIPPED' in proc.stdout and 'set FUSIONBOX_SHARED_DATA' in proc.stdout
    assert 'optional package not installed' in proc.stdout


def test_with_the_data_present_a_shared_data_skip_fails(sample_suite, tmp_path):
    (tmp_path / 'data').mkdir()
    proc = run_pytest(sample_suite, tmp_path / 'data')
    assert proc.returncode == 1, proc.stdout
    assert '2 failed' in proc.stdout and '1 skipped' in proc.stdout, proc.stdout
    assert 'a shared-data test skipped although' in proc.stdout
    assert 'FAILED test_sample.py::test_reads_the_data' in proc.stdout
    assert 'FAILED test_sample.py::test_marked' in proc.stdout
    assert '1 xfailed' in proc.stdout  # an expected failure is not a skip
