"""The reliability benchmark scripts run and report: the bad-input survey classifies its cases,
the long fuzzer counts examples and failures."""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / 'benchmarks' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_the_survey_has_40_cases_over_every_entry_point_and_classifies_them(tmp_path, capsys):
    survey = load('bad_input_survey')
    cases = survey.cases(survey.make_inputs(tmp_path))
    entries = {c.entry for c in cases}
    assert len(cases) >= 40 and len(entries) == 11
    assert survey.main(['--only', 'data check', '--workers', '1']) == 0
    out = capsys.readouterr().out
    assert '2 bad-input cases over 1 entry points: clean 2' in out
    assert 'code in a checkpoint ran: no' in out


def test_the_fuzzer_counts_examples_and_reports_a_failure(capsys):
    fuzz = load('fuzz')
    assert fuzz.main(['--examples', '20', '--targets', 'arrays', '--seed', '1']) == 0
    assert '20 examples run over 1 targets; 0 failure(s) found' in capsys.readouterr().out

    def fails_on_big(value):
        assert value < 10, value

    from hypothesis import strategies as st

    count, failure = fuzz.fuzz(st.integers(0, 100), fails_on_big, 200, random_seed=1)
    assert 1 <= count <= 200 and failure.startswith('AssertionError: 10')
