import sys
import textwrap

import pytest

from fusionbox.plugins import BUILTIN_NAME, FusionPluginManager


def make_distribution(root, dist_name, ep_name, module_name, module_source):
    """Write an importable module and a dist-info folder whose entry point names it."""
    (root / f'{module_name}.py').write_text(textwrap.dedent(module_source))
    info = root / f"{dist_name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {dist_name}\nVersion: 0.1\n')
    (info / 'entry_points.txt').write_text(f'[fusionbox.plugins]\n{ep_name} = {module_name}\n')


GOOD = """
from fusionbox import hookimpl
CALLS = []

@hookimpl
def fusionbox_register_modules(registries):
    CALLS.append(sorted(registries.REGISTRIES)[:1])

@hookimpl
def fusionbox_add_arguments(parser, tool):
    parser.add_argument('--good-flag', default='x')
"""

BROKEN_IMPORT = """
raise ImportError('this plugin needs a package that is not installed')
"""

BROKEN_HOOK = """
from fusionbox import hookimpl

@hookimpl
def fusionbox_register_modules(registries):
    raise RuntimeError('cannot register')
"""


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv('FUSIONBOX_DISABLE_PLUGIN_AUTOLOAD', raising=False)
    monkeypatch.delenv('FUSIONBOX_BLOCK_PLUGINS', raising=False)
    yield tmp_path
    for name in ('fb_good_plugin', 'fb_broken_import', 'fb_broken_hook'):
        sys.modules.pop(name, None)


def test_good_plugin_is_loaded_and_its_hooks_called(plugin_dir):
    make_distribution(plugin_dir, 'fb-good', 'good', 'fb_good_plugin', GOOD)
    manager = FusionPluginManager()
    manager.register_modules()
    assert manager.plugin_names()[0] == BUILTIN_NAME
    assert 'good' in manager.plugin_names()
    assert sys.modules['fb_good_plugin'].CALLS == [['autoencoders']]
    import argparse

    parser = argparse.ArgumentParser()
    manager.add_arguments(parser, 'train')
    assert parser.parse_args([]).good_flag == 'x'


def test_broken_plugins_are_named_and_the_rest_keeps_working(plugin_dir):
    make_distribution(plugin_dir, 'fb-good', 'good', 'fb_good_plugin', GOOD)
    make_distribution(
        plugin_dir, 'fb-broken-import', 'broken_import', 'fb_broken_import', BROKEN_IMPORT
    )
    make_distribution(plugin_dir, 'fb-broken-hook', 'broken_hook', 'fb_broken_hook', BROKEN_HOOK)
    with pytest.warns(RuntimeWarning, match='broken_import'):
        manager = FusionPluginManager()
    with pytest.warns(RuntimeWarning, match="'broken_hook' failed in fusionbox_register_modules"):
        manager.register_modules()
    assert 'needs a package that is not installed' in manager.report.failed['broken_import']
    assert 'cannot register' in manager.report.failed['broken_hook']
    assert 'good' in manager.plugin_names()
    assert 'broken_hook' not in manager.plugin_names()
    assert sys.modules['fb_good_plugin'].CALLS  # the good plugin still registered


def test_block_list_and_disabled_autoload(plugin_dir, monkeypatch):
    make_distribution(plugin_dir, 'fb-good', 'good', 'fb_good_plugin', GOOD)
    monkeypatch.setenv('FUSIONBOX_BLOCK_PLUGINS', 'good, other')
    manager = FusionPluginManager()
    assert 'good' not in manager.plugin_names() and manager.report.blocked == ['good']
    monkeypatch.delenv('FUSIONBOX_BLOCK_PLUGINS')
    monkeypatch.setenv('FUSIONBOX_DISABLE_PLUGIN_AUTOLOAD', '1')
    manager = FusionPluginManager()
    assert manager.plugin_names() == [BUILTIN_NAME]
    assert FusionPluginManager(autoload=True).plugin_names()[-1] == 'good'


def test_misspelled_hook_fails_loudly(plugin_dir):
    make_distribution(
        plugin_dir,
        'fb-typo',
        'typo',
        'fb_typo_plugin',
        """
        from fusionbox import hookimpl

        @hookimpl
        def fusionbox_register_modulez(registries):
            pass
        """,
    )
    with pytest.warns(RuntimeWarning, match='fusionbox_register_modulez'):
        manager = FusionPluginManager()
    assert 'typo' in manager.report.failed and 'typo' not in manager.plugin_names()
    sys.modules.pop('fb_typo_plugin', None)
