from .io import OutputExistsError, atomic_path, atomic_write_json, atomic_write_text
from .paths import cache_root, shared_data_root
from .setup_env import register_all_modules

__all__ = [
    'OutputExistsError',
    'atomic_path',
    'atomic_write_json',
    'atomic_write_text',
    'cache_root',
    'shared_data_root',
    'register_all_modules',
]
