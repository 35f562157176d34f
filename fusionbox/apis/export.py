"""ONNX export of a fuser for one task: ``fusionbox export --format onnx``.

The exported graph is :class:`ExportedFuser`: ``fused = f(sources)`` with ``sources`` the source
**lumas** (1, N, 1, H, W) float32 in [0, 1] and ``fused`` the fused luma (1, 1, H, W) in [0, 1].
Inside: reflect padding to the model's size multiple, the model (a regression model's one pass,
or a flow-matching model's fixed-step sampling loop unrolled: Euler, Heun, ... with the
configured or the requested steps), the crop back to H x W and the clamp. H and W are dynamic
axes (any size from the model's size multiple up); the task (and the prompt of a model with a
text encoder) is baked in, N is fixed. Colour stays outside: feed the Y channel of each source
(BT.601 YCbCr, :func:`fusionbox.utils.color.rgb_to_ycbcr`) and recompose the fused Y with the
fused Cb/Cr of the colour sources (:func:`fusionbox.pseudo_labels.ops.split_luma` and
:func:`~fusionbox.pseudo_labels.ops.recompose`), as :class:`~fusionbox.apis.FusionInferencer`
does. The export uses PyTorch's TorchScript-based exporter (``dynamo=False``: no onnxscript) and
is checked against PyTorch with onnxruntime on a second, odd size.
"""

from __future__ import annotations

import copy
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fusionbox.utils.io import atomic_path

#: Export formats.
FORMATS = ('onnx',)
#: ONNX opset of the exported graphs.
OPSET = 17
#: Largest max |ONNX - PyTorch| accepted by the check (images in [0, 1]).
TOLERANCE = 1e-4


class ExportedFuser(nn.Module):
    """A fuser for one task as a plain module: source lumas in, fused luma out.

    Args:
        model: an eval-mode :class:`~fusionbox.models.fusers.AllInOneFuser` (copied: the
            caller's is not changed).
        task: the task baked into the graph.
        steps: sampling steps of a flow-matching model; None keeps the configured ones.
            Defaults to None.
        solver: fixed-step solver of a flow-matching model (``'Euler'``, ``'Heun'``, ...);
            None keeps the configured one. Defaults to None.
        prompt: restoration prompt of a model with a text encoder, baked in. Defaults to ''.

    Raises:
        ValueError: the model cannot be exported as a fixed graph (an adaptive solver, a random
            start point), or steps / solver / prompt do not apply to it.
    """

    def __init__(self, model, task: str, steps=None, solver=None, prompt: str = '') -> None:
        from fusionbox.models.objectives import FlowMatching
        from fusionbox.models.solvers.fixed_step import FixedStepSolver
        from fusionbox.registry import SOLVERS
        from fusionbox.structures import FusionSample, task_index

        super().__init__()
        self.model = copy.deepcopy(model).eval()
        objective = self.model.objective
        name = type(objective).__name__
        if isinstance(objective, FlowMatching):
            if solver is not None:
                objective.solver = SOLVERS.build(dict(type=solver))
            if steps is not None:
                if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
                    raise ValueError(f'steps must be a positive integer, got {steps!r}')
                objective.num_steps = steps
            if not isinstance(objective.solver, FixedStepSolver):
                raise ValueError(
                    f'{type(objective.solver).__name__} chooses its steps at run time; export a '
                    'fixed-step solver (--solver Euler or Heun)'
                )
            if objective.x0_mode != 'sources' or objective.noise_std:
                raise ValueError(
                    'this flow model starts from random noise; only deterministic (source-'
                    'anchored, noise_std=0) flow models export to a fixed graph'
                )
        elif steps is not None or solver is not None:
            raise ValueError(f'steps and solver apply to flow-matching models, not to {name}')
        if prompt and self.model.text_encoder is None:
            raise ValueError('the model has no text encoder: it takes no prompt')
        self.task_name, self.prompt = task, prompt
        self.register_buffer('task', torch.tensor([task_index(task)]), persistent=False)
        self.samples = [FusionSample(metainfo=dict(prompt=prompt))]
        self.divisor = self.model.data_preprocessor.size_divisor
        self.pad_mode = self.model.data_preprocessor.pad_mode

    def forward(self, sources: torch.Tensor) -> torch.Tensor:
        """Source lumas (1, N, 1, H, W) in [0, 1] -> fused luma (1, 1, H, W) in [0, 1]."""
        h, w = sources.shape[-2], sources.shape[-1]
        pad_h, pad_w = (
            (self.divisor - h % self.divisor) % self.divisor,
            (self.divisor - w % self.divisor) % self.divisor,
        )
        padded = F.pad(sources.flatten(0, 1), (0, pad_w, 0, pad_h), mode=self.pad_mode)
        padded = padded.unflatten(0, (1, -1))  # (1, N, 1, Hp, Wp)
        inputs = dict(sources=padded, task=self.task, img_shape=(h, w))  # traced sizes
        fused = self.model(inputs, self.samples, mode='tensor')  # (1, 1, H, W), cropped
        return fused.clamp(0, 1)

    def nfe(self, num_sources: int = 2) -> int:
        """Backbone evaluations per fusion (counted)."""
        from .zoo_tools import count_nfe

        return count_nfe(self.model, num_sources)


def _pixel_unshuffle_symbolic(g, x, factor):
    """``pixel_unshuffle`` as ONNX ``SpaceToDepth`` on each channel alone, independent of the
    size (the exporter's own version bakes the traced size in): (B, C, H, W) -> (B * C, 1, H, W)
    -> (B * C, f * f, h, w), whose channel order is PyTorch's per input channel -> (B, C f f, h, w).
    """
    from torch.onnx import symbolic_helper

    f = symbolic_helper._get_const(factor, 'i', 'downscale_factor')
    const = lambda v: g.op('Constant', value_t=torch.tensor(v, dtype=torch.long))  # noqa: E731
    per_channel = g.op('Reshape', x, const([-1, 1, 0, 0]))  # (B * C, 1, H, W)
    blocks = g.op('SpaceToDepth', per_channel, blocksize_i=f)  # (B * C, f * f, h, w)
    batch = g.op('Slice', g.op('Shape', x), const([0]), const([1]))  # [B]
    hw = g.op('Slice', g.op('Shape', blocks), const([2]), const([4]))  # [h, w]
    shape = g.op('Concat', batch, const([-1]), hw, axis_i=0)
    return g.op('Reshape', blocks, shape)  # (B, C * f * f, h, w)


@contextmanager
def _size_free_symbolics():
    """Register the size-free symbolics for the duration of an export."""
    torch.onnx.register_custom_op_symbolic(
        'aten::pixel_unshuffle', _pixel_unshuffle_symbolic, OPSET
    )
    try:
        yield
    finally:
        torch.onnx.unregister_custom_op_symbolic('aten::pixel_unshuffle', OPSET)


def export_onnx(
    exported: ExportedFuser,
    path,
    num_sources: int = 2,
    size: tuple[int, int] | None = None,
    overwrite: bool = False,
    metadata: dict | None = None,
) -> Path:
    """Write ``exported`` as an ONNX file, atomically.

    Args:
        exported: the module.
        path: the ``.onnx`` file.
        num_sources: N, fixed in the graph. Defaults to 2.
        size: (H, W) fixed in the graph; None: dynamic H and W. Defaults to None.
        overwrite: replace an existing file. Defaults to False.
        metadata: string key-values stored in the model (``metadata_props``). Defaults to None.
    """
    import onnx

    path = Path(path)
    d = exported.divisor
    h, w = size or (3 * d + 5, 4 * d + 3)  # traced at an odd size: the padding is in the graph
    if min(h, w) < d:
        raise ValueError(f'size {h}x{w}: the model needs at least {d} pixels a side')
    example = torch.rand(1, num_sources, 1, h, w, generator=torch.Generator().manual_seed(0))
    dynamic = (
        None if size else {'sources': {3: 'height', 4: 'width'}, 'fused': {2: 'height', 3: 'width'}}
    )
    with atomic_path(path, overwrite=overwrite) as tmp:
        with warnings.catch_warnings(), torch.no_grad(), _size_free_symbolics():
            warnings.simplefilter('ignore')  # tracer and deprecation warnings
            torch.onnx.export(
                exported,
                (example,),
                str(tmp),
                dynamo=False,
                input_names=['sources'],
                output_names=['fused'],
                dynamic_axes=dynamic,
                opset_version=OPSET,
                do_constant_folding=True,
            )
        proto = onnx.load(str(tmp))
        for key, value in (metadata or {}).items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = str(key), str(value)
        onnx.checker.check_model(proto)
        onnx.save(proto, str(tmp))
    return path


def onnx_session(path, threads: int | None = None):
    """An onnxruntime CPU session of ``path`` (``threads`` intra-op threads; None: its default)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])


def run_onnx(session, sources: np.ndarray) -> np.ndarray:
    """Fuse source lumas (N, H, W) in [0, 1] with an exported model: the fused luma (H, W)."""
    x = np.ascontiguousarray(sources, dtype=np.float32)[None, :, None]  # (1, N, 1, H, W)
    return session.run(None, {'sources': x})[0][0, 0]


def check_onnx(exported: ExportedFuser, path, num_sources: int, size=None, seed: int = 1) -> float:
    """Max |ONNX - PyTorch| on random sources of another odd size (or the fixed ``size``)."""
    d = exported.divisor
    h, w = size or (5 * d - 7, 2 * d + 1)
    x = torch.rand(1, num_sources, 1, h, w, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected = exported(x)[0, 0].numpy()
    try:
        got = run_onnx(onnx_session(path), x[0, :, 0].numpy())
    except Exception as exc:  # noqa: BLE001 - onnxruntime's errors have no common base
        raise RuntimeError(
            f'{path}: the exported graph does not run at {h}x{w} ({str(exc).splitlines()[0]}); '
            'this model exports at a fixed size only: pass --size H W'
        ) from None
    return float(np.abs(got - expected).max())


def export_model(
    model: str | None,
    out,
    task: str,
    checkpoint: str | None = None,
    num_sources: int = 2,
    steps: int | None = None,
    solver: str | None = None,
    prompt: str = '',
    size: tuple[int, int] | None = None,
    overwrite: bool = False,
    check: bool = True,
) -> dict:
    """Export a zoo model (name; None: the default) or a config (+ checkpoint) for ``task``.

    Returns:
        ``{'path', 'task', 'num_sources', 'nfe', 'max_abs_diff' (None without check), ...}``:
        what was written (also stored in the file's metadata).
    """
    from fusionbox.version import __version__

    from .inferencer import FusionInferencer

    if num_sources < 2:
        raise ValueError(f'num_sources must be at least 2, got {num_sources}')
    if Path(out).exists() and not overwrite:
        raise FileExistsError(f'{out} exists; pass --overwrite to replace it')
    fuser = FusionInferencer(model, checkpoint)
    if not fuser.supports(task):
        raise ValueError(f'zoo model {fuser.name!r} fuses {fuser.entry.tasks}, not {task!r}')
    exported = ExportedFuser(fuser.model, task, steps=steps, solver=solver, prompt=prompt)
    info = dict(
        model=fuser.name,
        source=(f'zoo sha256 {fuser.entry.sha256}' if fuser.entry else f'{model} + {checkpoint}'),
        task=task,
        num_sources=num_sources,
        nfe=exported.nfe(num_sources),
        size='dynamic' if size is None else f'{size[0]}x{size[1]}',
        min_side=exported.divisor,
        input='sources: (1, N, 1, H, W) float32 source lumas (BT.601 Y) in [0, 1]',
        output='fused: (1, 1, H, W) float32 fused luma in [0, 1]; recompose colour outside',
        fusionbox=__version__,
    )
    if prompt:
        info['prompt'] = prompt
    export_onnx(exported, out, num_sources, size, overwrite=overwrite, metadata=info)
    info['max_abs_diff'] = None
    if check:
        try:
            info['max_abs_diff'] = check_onnx(exported, out, num_sources, size)
            if info['max_abs_diff'] > TOLERANCE:
                raise RuntimeError(
                    f'{out}: ONNX and PyTorch differ by {info["max_abs_diff"]:.2e} (> '
                    f'{TOLERANCE}); the export is not faithful'
                )
        except RuntimeError:
            Path(out).unlink(missing_ok=True)  # an export that fails its check is not kept
            raise
    return dict(info, path=str(out))
