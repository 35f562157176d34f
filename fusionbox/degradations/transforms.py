"""Pipeline steps for degraded training: random degradation with a prompt, and packing.

Place them after the geometric transforms so that the clean and degraded sources stay aligned::

    pipeline = [
        dict(type='LoadMultiSourceImages'),
        dict(type='SourcesToYCbCr'),
        dict(type='PairedRandomCrop', size=128),
        dict(type='PairedRandomFlip', prob=0.5),
        dict(type='RandomDegradeSources', seed=0),
        dict(type='PackDegradedFusionInputs'),  # PackFusionInputs + clean_sources
    ]
"""

from __future__ import annotations

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from fusionbox.registry import DEGRADATIONS, TRANSFORMS
from fusionbox.structures import TASKS

#: Where a prompt written by a degradation goes relative to the dataset's own prompt.
PROMPT_MODES = ('replace', 'append', 'keep')


def sample_rng(seed: int | None, results: dict) -> np.random.Generator:
    """The generator of one sample: ``(seed, task, sample_idx)``, or ``(seed, *degrade_key)``
    when the dataset sets ``degrade_key`` (non-negative ints naming the sample and the draw, see
    :class:`~fusionbox.degradations.DegradedRealFusionDataset`); fresh randomness if no seed."""
    if seed is None:
        return np.random.default_rng()
    if results.get('degrade_key') is not None:
        return np.random.default_rng([int(seed), *(int(k) for k in results['degrade_key'])])
    task = results.get('task')
    task_id = TASKS.index(task) if task in TASKS else len(TASKS)
    return np.random.default_rng([int(seed), task_id, int(results.get('sample_idx', 0))])


@TRANSFORMS.register_module()
class RandomDegradeSources(BaseTransform):
    """Degrade the sources with 1 to 3 operations drawn from the task's set; write the prompt.

    Required keys: ``sources`` (list of (H, W, C) float32 in [0, 1]), ``task``; optional
    ``source_names``, ``sample_idx``, ``prompt``. Added / modified keys: ``sources`` (degraded),
    ``clean_sources`` (the originals), ``degradations`` (one record per operation: ``type``,
    ``sources``, ``params``), ``prompt``.

    Args:
        task_ops: per task, the operations that may be drawn (see
            :class:`RandomDegradationComposer`). Defaults to None (its defaults).
        seed: makes the draw deterministic per sample (seed, task, ``sample_idx``); None draws
            fresh randomness each time. Defaults to None.
        prompt_mode: ``'replace'`` the dataset's prompt, ``'append'`` to it, or ``'keep'`` it
            when it is not empty. Defaults to 'replace'.
        prob: probability of degrading a sample at all (a clean sample keeps an empty record
            and its prompt). Defaults to 1.
        **composer_kwargs: further arguments of :class:`RandomDegradationComposer`
            (``degradations``, ``num_ops``, ``source_mode``, ``exclusive``, ``prompt``).
    """

    def __init__(
        self,
        task_ops: dict | None = None,
        seed: int | None = None,
        prompt_mode: str = 'replace',
        prob: float = 1.0,
        **composer_kwargs,
    ):
        if prompt_mode not in PROMPT_MODES:
            raise ValueError(f'prompt_mode must be one of {PROMPT_MODES}, got {prompt_mode!r}')
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.composer = DEGRADATIONS.build(
            dict(type='RandomDegradationComposer', task_ops=task_ops, **composer_kwargs)
        )
        self.seed, self.prompt_mode, self.prob = seed, prompt_mode, prob

    def transform(self, results: dict) -> dict:
        rng = sample_rng(self.seed, results)
        sources = list(results['sources'])
        results['clean_sources'] = [np.array(s, dtype=np.float32, copy=True) for s in sources]
        if rng.random() >= self.prob:
            results['degradations'] = []
            return results
        names = results.get('source_names') or [f'source{i}' for i in range(len(sources))]
        out = self.composer(sources, list(names), results['task'], rng)
        results['sources'] = out['sources']
        results['degradations'] = out['records']
        old = results.get('prompt') or ''
        if self.prompt_mode == 'replace' or not old:
            results['prompt'] = out['prompt']
        elif self.prompt_mode == 'append':
            results['prompt'] = f'{old} {out["prompt"]}'.strip()
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(composer={self.composer!r}, seed={self.seed}, '
            f'prompt_mode={self.prompt_mode!r}, prob={self.prob})'
        )


@TRANSFORMS.register_module()
class PackDegradedFusionInputs(BaseTransform):
    """``PackFusionInputs`` plus the clean sources and the degradation record.

    Adds to the packed :class:`FusionSample` the data field ``clean_sources`` (N, 1, H, W)
    float32 (the luma of colour clean sources, matching ``inputs``) and the metainfo
    ``degradations`` (the records) and ``target`` (``'gt'``, ``'pseudo_label'`` or None: the
    field to supervise the restored fusion with).

    Args:
        **pack_kwargs: arguments of ``PackFusionInputs`` (e.g. ``meta_keys``).
    """

    def __init__(self, **pack_kwargs):
        self.pack = TRANSFORMS.build(dict(type='PackFusionInputs', **pack_kwargs))

    @classmethod
    def wrap(cls, pack: BaseTransform) -> PackDegradedFusionInputs:
        """Wrap an already built ``PackFusionInputs`` instance."""
        obj = cls.__new__(cls)
        obj.pack = pack
        return obj

    def transform(self, results: dict) -> dict:
        clean = results.get('clean_sources')
        records = list(results.get('degradations') or [])
        packed = self.pack(results)
        sample, inputs = packed['data_samples'], packed['inputs']
        if clean is not None:
            sample.clean_sources = _pack_clean(clean, inputs, results.get('stem', '?'))
        target = next((k for k in ('gt', 'pseudo_label') if k in sample), None)
        sample.set_metainfo(dict(degradations=records, target=target))
        return packed

    def __repr__(self) -> str:
        return f'{type(self).__name__}(pack={self.pack!r})'


def _pack_clean(clean: list, inputs: torch.Tensor, stem: str) -> torch.Tensor:
    """Clean sources -> (N, C, H, W) like ``inputs``; colour sources become luma if needed."""
    from fusionbox.utils.color import rgb_to_ycbcr

    tensors = []
    for image in clean:
        image = np.asarray(image, dtype=np.float32)
        image = image[..., None] if image.ndim == 2 else image
        if image.shape[2] == 3 and inputs.shape[1] == 1:
            image = rgb_to_ycbcr(image)[..., :1].astype(np.float32)
        tensors.append(torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))))
    stacked = torch.stack(tensors)  # (N, C, H, W)
    if stacked.shape != inputs.shape:
        raise ValueError(
            f'sample {stem!r}: clean sources {tuple(stacked.shape)} do not match the inputs '
            f'{tuple(inputs.shape)}; put the degradation step after SourcesToYCbCr and the '
            'geometric transforms (PairedRandomCrop, PairedRandomFlip)'
        )
    return stacked.float()
