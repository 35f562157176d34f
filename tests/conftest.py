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
    # Tiny tensors: one intra-op thread per test process is much faster than two fighting over
    # the cores (the suite runs with pytest-xdist, one process per core).
    import torch

    torch.set_num_threads(1)
