"""Loading checkpoints and weights without running code from them: the one loader of FusionBox.

* :func:`load_checkpoint_file` reads a ``.pth`` checkpoint with ``torch.load(weights_only=True)``:
  only tensors, containers and the few types MMEngine 0.10.7 itself pickles into
  ``tools/train.py`` checkpoints (:func:`mmengine_safe_globals`, allowed only for that call) are
  rebuilt. A checkpoint that carries any other pickled object is refused with a
  :class:`~fusionbox.utils.errors.CheckpointError` naming the file and the object; nothing in it
  runs. The Runner (load and resume), the model loaders and the autoencoder use it.
* :func:`load_state_dict_file` reads model weights from a ``.safetensors`` file (the zoo's format:
  no pickle at all) or a ``.pth`` checkpoint (its ``state_dict``).
* :func:`load_model_weights` puts them into a model, every key matching: the only way FusionBox
  loads model weights. :func:`save_model_weights` writes a safetensors file atomically.
"""

from __future__ import annotations

import functools
import pickle
import re
from pathlib import Path
from typing import Dict

import torch

from .errors import CheckpointError
from .io import atomic_path

#: Weights-only file extensions (no pickle).
SAFETENSORS_EXTENSIONS = ('.safetensors',)
#: Key prefixes dropped from a state dict (model wrappers: DistributedDataParallel).
_REVISE_KEYS = ((r'^module\.', ''),)


#: The statistics methods of a pickled HistoryBuffer (pickled as ``getattr(HistoryBuffer, name)``).
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')


def _history_buffer_method(obj, name: str):
    """``builtins.getattr`` as MMEngine checkpoints use it, and nothing else: the message hub's
    :class:`~mmengine.logging.HistoryBuffer` pickles its statistics methods by reference."""
    from mmengine.logging import HistoryBuffer

    if obj is not HistoryBuffer or name not in _HISTORY_BUFFER_METHODS:
        raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed')
    return getattr(obj, name)


@functools.lru_cache(maxsize=1)
def mmengine_safe_globals() -> tuple:
    """The non-tensor globals MMEngine 0.10.7 pickles into its checkpoints: the message hub's
    :class:`~mmengine.logging.HistoryBuffer` (and ``getattr`` restricted to its statistics
    methods), and the numpy arrays, scalars and dtypes it holds."""
    import numpy as np
    from mmengine.logging import HistoryBuffer
    from numpy.core.multiarray import _reconstruct, scalar

    dtypes = [type(np.dtype(t)) for t in ('float64', 'float32', 'int64', 'int32', 'bool')]
    return (
        HistoryBuffer,
        (_history_buffer_method, 'builtins.getattr'),
        _reconstruct,
        scalar,
        np.ndarray,
        np.dtype,
        *dtypes,
    )


def _global_name(item) -> str:
    if isinstance(item, tuple):
        return item[1]
    return f'{item.__module__}.{item.__qualname__}'


def _unsafe_globals(path: Path) -> list:
    """The globals a checkpoint would import beyond those allowed (nothing is unpickled)."""
    allowed = {_global_name(g) for g in mmengine_safe_globals()}
    try:
        found = torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
    except Exception:  # not a zip checkpoint: fall back to torch's own message
        return []
    return [g for g in found if g not in allowed]


def load_checkpoint_file(path, map_location='cpu') -> dict:
    """Load a ``.pth`` checkpoint safely (see the module doc).

    Args:
        path: the checkpoint file.
        map_location: as :func:`torch.load`. Defaults to 'cpu'.

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointError: the file carries other pickled objects, or is not a checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    try:
        with torch.serialization.safe_globals(list(mmengine_safe_globals())):
            checkpoint = torch.load(str(path), map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        unsafe = _unsafe_globals(path)
        what = ', '.join(unsafe) if unsafe else _first_line(exc)
        raise CheckpointError(
            f'checkpoint {path} refused: it carries pickled objects FusionBox does not load '
            f'({what}); only tensors and the types of MMEngine checkpoints are accepted'
        ) from None
    except Exception as exc:  # torch's unpickler on arbitrary bytes: any error at all
        raise CheckpointError(
            f'checkpoint {path} cannot be read (truncated or not a PyTorch checkpoint: '
            f'{_first_line(exc)})'
        ) from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'checkpoint {path} holds a {type(checkpoint).__name__}, not a dict')
    return checkpoint


def install_mmengine_loader() -> None:
    """Make MMEngine's loader of local files (``mmengine.runner.load_checkpoint``, a
    ``Pretrained`` ``init_cfg``) read through :func:`load_checkpoint_file`."""
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_local(filename, map_location):
        return load_checkpoint_file(filename, map_location)

    CheckpointLoader.register_scheme(prefixes='', force=True)(load_local)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_state_dict_file(path, map_location='cpu') -> Dict[str, torch.Tensor]:
    """Model weights from a ``.safetensors`` file or a ``.pth`` checkpoint (its ``state_dict``,
    or the file itself when it is a plain state dict); a ``module.`` prefix is dropped.

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointError: unreadable, unsafe, or holding no tensors.
    """
    path = Path(path)
    if path.suffix.lower() in SAFETENSORS_EXTENSIONS:
        if not path.is_file():
            raise FileNotFoundError(f'weights file {path} does not exist')
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            state = load_file(str(path), device=str(map_location))
        except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
            raise CheckpointError(f'weights file {path} cannot be read ({exc})') from None
    else:
        checkpoint = load_checkpoint_file(path, map_location)
        state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f'{path} holds no state dict (name -> tensor)')
    for pattern, repl in _REVISE_KEYS:
        state = {re.sub(pattern, repl, k): v for k, v in state.items()}
    return state


def load_model_weights(model: torch.nn.Module, path, strict: bool = True, prefix: str = '') -> None:
    """Load ``path`` (``.safetensors`` or ``.pth``) into ``model``.

    Args:
        model: the module.
        path: the weights file.
        strict: every key must match (a checkpoint of another model is refused, the error
            naming the file and some keys). Defaults to True.
        prefix: only the keys starting with it are loaded, with it removed (e.g.
            ``'autoencoder.'`` for a sub-module of a fuser checkpoint); ignored when no key
            starts with it. Defaults to ''.

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointError: unreadable, unsafe, or the keys or shapes do not fit the model.
    """
    state = load_state_dict_file(path)
    if prefix and any(k.startswith(prefix) for k in state):
        state = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
    load_state_into(model, state, path, strict)


def load_state_into(model: torch.nn.Module, state, path, strict: bool = True) -> tuple:
    """Load a state dict read from ``path`` into ``model``; ``(missing, unexpected)`` keys.

    A state dict of another model is refused (CheckpointError naming ``path``): none of its keys
    is a key of the model, a tensor of another shape (after the model's own load hooks, e.g. the
    fuser's task-row move), or, with ``strict``, any missing or unexpected key. Without
    ``strict`` a partial state dict loads (fine-tuning from part of a model).
    """
    own = model.state_dict()
    if not strict and own and state and not any(k in own for k in state):
        raise CheckpointError(
            f'{path} does not fit {type(model).__name__}: none of its {len(state)} keys is a '
            f'key of the model (e.g. {sorted(state)[:3]}; the model has {sorted(own)[:3]})'
        )
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shape mismatch: name the first tensor that differs
        lines = [ln.strip() for ln in str(exc).splitlines() if 'size mismatch' in ln]
        reason = lines[0] if lines else _first_line(exc)
        raise CheckpointError(f'{path} does not fit {type(model).__name__}: {reason}') from None
    if strict and (missing or unexpected):
        raise CheckpointError(
            f'{path} does not fit {type(model).__name__}: missing keys {sorted(missing)[:5]}, '
            f'unexpected keys {sorted(unexpected)[:5]}'
        )
    return missing, unexpected


def save_model_weights(model_or_state, path, overwrite: bool = False) -> Path:
    """Write a model's weights (or a state dict) as a safetensors file, atomically.

    Tensors sharing memory are stored once each (contiguous copies).
    """
    from safetensors.torch import save_file

    path = Path(path)
    state = model_or_state
    if isinstance(model_or_state, torch.nn.Module):
        state = model_or_state.state_dict()
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in state.items()}
    with atomic_path(path, overwrite=overwrite) as tmp:
        save_file(tensors, str(tmp))
    return path


#: The names MMEngine's CheckpointHook gives checkpoints (``filename_tmpl`` defaults).
_CHECKPOINT_NAME = re.compile(r'^(iter|epoch)_(\d+)\.pth$')


def find_resumable_checkpoint(work_dir) -> Path | None:
    """The checkpoint ``--resume`` continues from: the file ``work_dir/last_checkpoint`` names,
    or, when that file is empty, unreadable or names a checkpoint that is gone, the newest
    complete ``iter_N.pth`` / ``epoch_N.pth`` in ``work_dir`` (checkpoints are renamed into place
    only once written, so one with its final name is complete); None when there is none."""
    work_dir = Path(work_dir)
    pointer = work_dir / 'last_checkpoint'
    try:
        named = pointer.read_text().strip()
    except OSError:
        named = ''
    if named and Path(named).is_file():
        return Path(named)
    found = []
    for path in work_dir.glob('*.pth') if work_dir.is_dir() else ():
        match = _CHECKPOINT_NAME.match(path.name)
        if match and path.is_file():
            found.append((match.group(1) == 'iter', int(match.group(2)), path))
    return max(found)[2] if found else None
