"""Shared fixtures: the repository root, the shared data folder, a private cache folder."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO


def pytest_configure(config):
    # Keep generated data out of the user's cache unless the caller chose a cache folder.
    os.environ.setdefault('FUSIONBOX_CACHE', str(REPO / 'work_dirs' / 'test-cache'))
    os.environ.setdefault('MPLBACKEND', 'Agg')
