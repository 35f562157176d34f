"""Recipes: multi-step procedures run by one command (``tools/fusionfm_recipe.py``)."""

from .fusionfm import (
    EVALUATION_ONLY_LAYOUTS,
    check_no_evaluation_sets,
    iter_dataset_cfgs,
    label_datasets,
    make_pseudo_labels,
    run_recipe,
)

__all__ = [
    'EVALUATION_ONLY_LAYOUTS',
    'check_no_evaluation_sets',
    'iter_dataset_cfgs',
    'label_datasets',
    'make_pseudo_labels',
    'run_recipe',
]
