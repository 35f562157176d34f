"""The model zoo: shipped models listed in ``fusionbox/zoo/manifest.json`` (see its README).

Each entry names a standalone config and a safetensors weights file (paths relative to the
manifest), their sha256, the tasks, the objective, NFE, parameter count, measured metrics and
speed, and whether it is the default model of ``fusionbox fuse``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import List

from fusionbox.utils.errors import ZooError

#: The manifest shipped with the package.
MANIFEST = Path(__file__).resolve().parents[1] / 'zoo' / 'manifest.json'
_REQUIRED = ('name', 'config', 'weights', 'sha256')


@dataclass(frozen=True)
class ZooEntry:
    """One model of the zoo (``config`` and ``weights`` resolved to absolute paths)."""

    name: str
    config: Path
    weights: Path
    sha256: str
    tasks: List[str] = field(default_factory=list)
    objective: str = ''
    nfe: int | None = None
    params: int | None = None
    default: bool = False
    metrics: dict = field(default_factory=dict)
    speed: dict = field(default_factory=dict)
    #: How the entry was made: ``train`` and ``add`` commands (``python tools/zoo.py recipe``).
    recipe: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The entry as JSON-able data (paths as strings)."""
        data = asdict(self)
        data['config'], data['weights'] = str(self.config), str(self.weights)
        return data


def list_entries(manifest=None) -> List[ZooEntry]:
    """Every entry of ``manifest`` (default: the shipped one), in file order.

    Raises:
        ZooError: the manifest is unreadable, an entry lacks a required key, names repeat, or
            several entries are the default (the message names the manifest).
    """
    path = Path(manifest) if manifest is not None else MANIFEST
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ZooError(f'model zoo manifest {path} cannot be read: {exc}') from None
    if not isinstance(data, dict) or not isinstance(data.get('models'), list):
        raise ZooError(f'model zoo manifest {path}: expected {{"models": [...]}}')
    entries, known = [], set(ZooEntry.__dataclass_fields__)
    for i, item in enumerate(data['models']):
        missing = [k for k in _REQUIRED if not isinstance(item, dict) or k not in item]
        if missing:
            raise ZooError(f'model zoo manifest {path}: entry {i} lacks {", ".join(missing)}')
        unknown = sorted(set(item) - known)
        if unknown:
            raise ZooError(f'model zoo manifest {path}: entry {item["name"]!r} has unknown keys '
                           f'{unknown}')  # fmt: skip
        values = dict(item, config=path.parent / item['config'])
        values['weights'] = path.parent / item['weights']
        entries.append(ZooEntry(**values))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise ZooError(f'model zoo manifest {path}: entry names repeat: {names}')
    if sum(e.default for e in entries) > 1:
        raise ZooError(f'model zoo manifest {path}: more than one entry is the default')
    return entries


def get_entry(name: str, manifest=None) -> ZooEntry:
    """The entry called ``name`` (ZooError listing the known names otherwise)."""
    entries = list_entries(manifest)
    for entry in entries:
        if entry.name == name:
            return entry
    known = ', '.join(e.name for e in entries) or 'none yet'
    raise ZooError(f'unknown model {name!r}; the zoo has: {known} (see `fusionbox models`)')


def default_entry(manifest=None) -> ZooEntry:
    """The default entry (ZooError when the manifest marks none)."""
    for entry in list_entries(manifest):
        if entry.default:
            return entry
    raise ZooError(
        'the model zoo has no default model yet; pass --model NAME or --config CFG '
        '--checkpoint CKPT (see `fusionbox models`)'
    )


def sha256_of(path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def verify_entry(entry: ZooEntry) -> None:
    """Check that the entry's config and weights exist and the weights hash matches.

    Raises:
        ZooError: a file is missing or the hash differs (naming the file).
    """
    for what, path in (('config', entry.config), ('weights', entry.weights)):
        if not path.is_file():
            raise ZooError(f'zoo model {entry.name!r}: {what} file {path} is missing')
    actual = sha256_of(entry.weights)
    if actual != entry.sha256:
        raise ZooError(
            f'zoo model {entry.name!r}: weights {entry.weights} have sha256 {actual}, the '
            f'manifest says {entry.sha256}'
        )


def make_entry(name: str, config, weights, manifest=None, **info) -> dict:
    """A manifest entry for ``weights`` (a safetensors file): sha256 and parameter count filled
    in (``params`` counts every stored tensor, buffers included), paths made relative to the
    manifest's folder; ``info`` adds the other keys."""
    folder = (Path(manifest) if manifest is not None else MANIFEST).resolve().parent
    return dict(
        name=name,
        config=str(Path(config).resolve().relative_to(folder)),
        weights=str(Path(weights).resolve().relative_to(folder)),
        sha256=sha256_of(weights),
        params=stored_params(weights),
        **info,
    )


def stored_params(weights) -> int:
    """The number of values stored in a safetensors file (parameters and buffers)."""
    from safetensors import safe_open

    with safe_open(str(weights), framework='pt') as f:
        return sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())  # noqa: SIM118
