"""The built-in plugin: FusionBox's own components register through the same hook as others."""

import importlib

from .markers import hookimpl

#: Packages whose import registers the built-in components (each registers its own family).
BUILTIN_PACKAGES = (
    'fusionbox.datasets',
    'fusionbox.models',
    'fusionbox.evaluation',
    'fusionbox.evaluation.fusion_metric',  # FusionMetric (the package leaves it lazy: torch)
    'fusionbox.engine',
    'fusionbox.visualization',
    'fusionbox.degradations',
    'fusionbox.pseudo_labels',
    'fusionbox.continual',
)


@hookimpl
def fusionbox_register_modules(registries):
    for package in BUILTIN_PACKAGES:
        importlib.import_module(package)
