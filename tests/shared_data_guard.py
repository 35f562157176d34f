"""A pytest plugin: a shared-data test that skips while the shared data is there is a failure.

The real-data tests skip, with a reason, on a machine without ``../shared/data``. Where the folder
is present (CI lays it beside the clone) such a skip means a test silently stopped running (a
moved subset, a renamed file), so this plugin turns it into a failure that quotes the reason.

A skip counts as a shared-data skip when the test carries the ``shared_data`` marker, or when its
reason says the data was not found and names ``FUSIONBOX_SHARED_DATA`` (the convention of every
real-data skip in the suite). ``tests/conftest.py`` loads the plugin; other suites can pass
``-p shared_data_guard`` with ``tests/`` on the path.
"""

from __future__ import annotations

import re

import pytest

from fusionbox.utils.paths import SHARED_DATA_ENV, shared_data_root

#: The reason of a skip for absent shared data: "... not found ... FUSIONBOX_SHARED_DATA ...".
SHARED_SKIP_REASON = re.compile(rf'not found.*{SHARED_DATA_ENV}', re.DOTALL)


def skip_reason(report: pytest.TestReport) -> str:
    """The reason of a skipped report (``'Skipped: '`` removed)."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix('Skipped: ')


def is_shared_data_skip(item: pytest.Item, report: pytest.TestReport) -> bool:
    """Whether ``report`` is a skip of a test that needs the shared data."""
    if not report.skipped or hasattr(report, 'wasxfail'):
        return False
    marked = item.get_closest_marker('shared_data') is not None
    return marked or bool(SHARED_SKIP_REASON.search(skip_reason(report)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    root = shared_data_root()
    if is_shared_data_skip(item, report) and root.is_dir():
        report.outcome = 'failed'
        report.longrepr = (
            f'a shared-data test skipped although {root} is present: {skip_reason(report)}'
        )
