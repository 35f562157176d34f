"""Where FusionBox finds data that is not part of the repository."""

import os
from pathlib import Path

SHARED_DATA_ENV = 'FUSIONBOX_SHARED_DATA'
CACHE_ENV = 'FUSIONBOX_CACHE'


def shared_data_root() -> Path:
    """The folder of real test data: ``$FUSIONBOX_SHARED_DATA``, else ``../shared/data`` beside
    the checkout (the folder may be absent; callers check ``.is_dir()``)."""
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[3] / 'shared' / 'data'


def cache_root() -> Path:
    """FusionBox's cache folder: ``$FUSIONBOX_CACHE``, else ``~/.cache/fusionbox``."""
    return Path(os.environ.get(CACHE_ENV, Path.home() / '.cache' / 'fusionbox')).expanduser()
