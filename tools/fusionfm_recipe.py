"""The FusionFM recipe in one command: pseudo-labels of the config's real training sets, then
training. ``python tools/fusionfm_recipe.py CONFIG [--work-dir DIR] [--labels-dir DIR]
[--workers N] [--only-labels] [--cfg-options ...]`` (see :mod:`fusionbox.recipes.fusionfm`)."""

import sys

from fusionbox.recipes import run_recipe

if __name__ == '__main__':
    sys.exit(run_recipe())
