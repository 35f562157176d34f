"""Benchmark scripts are run in their --quick mode: they load as modules from ``benchmarks/``."""

import importlib.util
from pathlib import Path

import pytest

from fusionbox.utils.paths import shared_data_root

REPO = Path(__file__).resolve().parents[2]
SHARED = shared_data_root()
#: The marks of a module that reads ``../shared/data`` (skipped, with the reason, without it).
needs_shared_data = [
    pytest.mark.shared_data,
    pytest.mark.skipif(
        not SHARED.is_dir(),
        reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
    ),
]


def load_benchmark(name: str):
    """Import ``benchmarks/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / 'benchmarks' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def quick_run(request, tmp_path_factory):
    """Run the test module's ``BENCHMARK`` with --quick once; return (module, output folder)."""
    name = request.module.BENCHMARK
    module = load_benchmark(name)
    out = tmp_path_factory.mktemp(name) / 'out'
    assert module.main(['--quick', '--threads', '1', '--out', str(out)]) == 0
    return module, out
