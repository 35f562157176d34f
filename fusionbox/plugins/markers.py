"""pluggy markers. Import them from the package top level: ``from fusionbox import hookimpl``."""

import pluggy

PROJECT_NAME = 'fusionbox'
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
