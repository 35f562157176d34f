"""FusionBox's configs as bases of configs outside the repository: ``fusionbox::path``.

The configs are installed with the package in ``fusionbox/.mim/configs`` (MMEngine's convention,
as MMDetection's ``mmdet/.mim/configs``; in a checkout a link to ``configs/``), so a plugin
writes::

    _base_ = ['fusionbox::fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py']

MMEngine resolves ``package::path`` only for the packages it lists, through the distribution's
location, which an editable install by setuptools >= 64 does not have (the package is found by
an import hook). :func:`install_config_scope` (called by
:func:`fusionbox.utils.register_all_modules`, so by every tool) lists ``fusionbox`` and resolves
the path from the imported package itself. Call it (or ``register_all_modules()``) before
``Config.fromfile`` of such a config.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The scope, package and import name.
PACKAGE = 'fusionbox'
PREFIX = PACKAGE + '::'


def package_config_root() -> Path:
    """The configs folder installed with the package (``<fusionbox>/.mim/configs``)."""
    import fusionbox

    return Path(fusionbox.__file__).resolve().parent / '.mim' / 'configs'


def resolve_config(cfg_path: str) -> str:
    """The file of ``'fusionbox::<path under configs/>'`` (links resolved, so that a config's
    ``{{fileDirname}}`` is its folder in the checkout when the package is one).

    Raises:
        ValueError: the path does not start with ``fusionbox::``.
        FileNotFoundError: no such config in the installed package (the message names it).
    """
    if not cfg_path.startswith(PREFIX):
        raise ValueError(f'not a {PREFIX} config path: {cfg_path!r}')
    root = package_config_root()
    path = root / cfg_path[len(PREFIX) :]
    if not path.is_file():
        raise FileNotFoundError(
            f'{cfg_path}: no such config in the installed FusionBox ({path}); the configs of '
            f'this installation are under {root}'
        )
    return os.path.realpath(path)


def install_config_scope() -> None:
    """Let MMEngine's ``Config`` resolve ``fusionbox::`` base paths (idempotent)."""
    from mmengine.config import Config
    from mmengine.config import utils as config_utils

    config_utils.MODULE2PACKAGE.setdefault(PACKAGE, PACKAGE)
    original = Config._get_cfg_path
    if getattr(original, 'fusionbox_scope', False):
        return

    def _get_cfg_path(cfg_path: str, filename: str):
        if cfg_path.startswith(PREFIX):
            return resolve_config(cfg_path), PACKAGE
        return original(cfg_path, filename)

    _get_cfg_path.fusionbox_scope = True
    Config._get_cfg_path = staticmethod(_get_cfg_path)
