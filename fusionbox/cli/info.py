"""``fusionbox info``: versions, mmcv ops, plugins and whether the shared data was found."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import platform

PACKAGES = (
    'torch',
    'numpy',
    'mmengine',
    'mmcv',
    'mmsegmentation',
    'mmdet',
    'pluggy',
    'scipy',
    'scikit-image',
    'opencv-python',
)


def collect_info() -> dict:
    """Return the environment facts as a plain dict."""
    from fusionbox import __version__
    from fusionbox.plugins import get_plugin_manager
    from fusionbox.utils import cache_root, shared_data_root

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    try:
        importlib.import_module('mmcv._ext')
        ops = True
    except ImportError:
        ops = False
    manager = get_plugin_manager()
    shared = shared_data_root()
    return {
        'fusionbox': __version__,
        'python': platform.python_version(),
        'packages': versions,
        'mmcv_ops': ops,
        'plugins': {
            'loaded': manager.plugin_names(),
            'failed': manager.report.failed,
            'blocked': manager.report.blocked,
            'autoload': manager.autoload,
            'distributions': manager.distributions(),
        },
        'shared_data': {'path': str(shared), 'found': shared.is_dir()},
        'cache': str(cache_root()),
    }


def run(args) -> int:
    info = collect_info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"FusionBox {info['fusionbox']} (Python {info['python']})")
    for name, version in info['packages'].items():
        print(f'  {name:<16} {version or "not installed"}')
    print(
        f"  mmcv compiled ops: {'yes' if info['mmcv_ops'] else 'NO (mmcv-lite or a broken build)'}"
    )
    plugins = info['plugins']
    print(
        f"plugins loaded: {', '.join(plugins['loaded']) or '-'}"
        f"{'' if plugins['autoload'] else ' (autoload disabled)'}"
    )
    for name, error in plugins['failed'].items():
        print(f'  FAILED {name}: {error}')
    for name in plugins['blocked']:
        print(f'  blocked {name}')
    shared = info['shared_data']
    print(f"shared data: {shared['path']} ({'found' if shared['found'] else 'NOT found'})")
    print(f"cache: {info['cache']}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser('info', help='versions, mmcv ops, plugins, shared data')
    parser.add_argument('--json', action='store_true', help='print the facts as JSON')
    parser.set_defaults(func=run)
