"""Build a sub-component from its config with an error that says which sub-config failed."""

from __future__ import annotations

from typing import Any

from mmengine.registry import Registry


def build_component(registry: Registry, cfg: Any, key: str) -> Any:
    """Build ``cfg`` (a dict with ``type``, or an already built object) from ``registry``.

    Args:
        registry (Registry): Where ``cfg['type']`` is looked up.
        cfg (dict | object): The sub-config; objects that are not dicts are returned unchanged.
        key (str): The name of the sub-config, used in errors (e.g. ``'objective.losses[1]'``).

    Raises:
        KeyError: ``cfg`` has no ``type``, or ``type`` is not registered in ``registry``; the
            message starts with ``key``.
    """
    if not isinstance(cfg, dict):
        return cfg
    if 'type' not in cfg:
        raise KeyError(f'{key}: the sub-config needs a "type" key, got keys {sorted(cfg)}')
    try:
        return registry.build(cfg)
    except KeyError as err:
        message = err.args[0] if err.args else repr(err)
        raise KeyError(f'{key} (type={cfg["type"]!r}): {message}') from err
