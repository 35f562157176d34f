"""RandomDegradeSources writes the record, the clean sources and the prompt;
PackDegradedFusionInputs packs the clean sources next to PackFusionInputs' output."""

import numpy as np
import pytest
import torch

from fusionbox.degradations import PackDegradedFusionInputs, RandomDegradeSources
from fusionbox.registry import TRANSFORMS


def sample(grey, idx=0, task='ivf', prompt=''):
    vi = grey * 0.8 + 0.1
    return dict(
        sources=[grey.copy(), vi],
        source_names=['ir', 'vi'],
        task=task,
        sample_idx=idx,
        stem=f's{idx}',
        prompt=prompt,
        is_color=False,
    )


def test_random_degrade_sources_records_and_is_deterministic(grey):
    step = TRANSFORMS.build(dict(type='RandomDegradeSources', seed=3))
    a = step(sample(grey, 4))
    b = step(sample(grey, 4))
    c = step(sample(grey, 5))
    assert 1 <= len(a['degradations']) <= 3 and a['prompt']
    assert a['degradations'] == b['degradations'] and a['prompt'] == b['prompt']
    assert all(np.array_equal(x, y) for x, y in zip(a['sources'], b['sources']))
    assert (a['prompt'], a['degradations']) != (c['prompt'], c['degradations'])
    assert np.array_equal(a['clean_sources'][0], grey)
    assert a['clean_sources'][0] is not a['sources'][0]


def test_seeds_tasks_and_sample_indices_all_change_the_draw(grey):
    draws = set()
    for seed in (0, 1):
        for task, names in (('ivf', ['ir', 'vi']), ('mef', ['under', 'over'])):
            for idx in (0, 1):
                results = dict(sample(grey, idx, task), source_names=names)
                out = RandomDegradeSources(seed=seed)(results)
                draws.add(out['prompt'])
    assert len(draws) >= 6
    fresh = RandomDegradeSources(seed=None)
    assert len({fresh(sample(grey))['prompt'] for _ in range(5)}) > 1


def test_prompt_modes_and_prob(grey):
    kept = RandomDegradeSources(seed=0, prompt_mode='keep')(sample(grey, prompt='Fuse them.'))
    assert kept['prompt'] == 'Fuse them.' and kept['degradations']
    added = RandomDegradeSources(seed=0, prompt_mode='append')(sample(grey, prompt='Fuse.'))
    assert added['prompt'].startswith('Fuse. ') and len(added['prompt']) > 10
    clean = RandomDegradeSources(seed=0, prob=0.0)(sample(grey, prompt='Fuse.'))
    assert clean['degradations'] == [] and clean['prompt'] == 'Fuse.'
    assert np.array_equal(clean['sources'][1], grey * 0.8 + 0.1)
    with pytest.raises(ValueError, match='prompt_mode'):
        RandomDegradeSources(prompt_mode='merge')
    step = RandomDegradeSources(seed=0, task_ops=dict(ivf=['rain']), num_ops=1)
    assert [r['type'] for r in step(sample(grey))['degradations']] == ['Rain']


def test_pack_degraded_inputs_adds_clean_sources_and_metainfo(grey, color):
    results = dict(sample(grey), gt=grey * 0.5)
    results = RandomDegradeSources(seed=0)(results)
    packed = PackDegradedFusionInputs()(results)
    data = packed['data_samples']
    assert packed['inputs'].shape == (2, 1, *grey.shape[:2])
    assert data.clean_sources.shape == (2, 1, *grey.shape[:2])
    assert data.clean_sources.dtype == torch.float32
    assert torch.equal(data.clean_sources[0, 0], torch.from_numpy(grey[..., 0]))
    assert data.metainfo['prompt'] == results['prompt']
    assert data.metainfo['degradations'] == results['degradations']
    assert data.metainfo['target'] == 'gt'
    # colour clean sources are brought to luma when the inputs are luma
    rgb = dict(sample(grey), clean_sources=[grey, color])
    packed = PackDegradedFusionInputs()(rgb)
    y = 0.299 * color[..., 0] + 0.587 * color[..., 1] + 0.114 * color[..., 2]
    assert np.allclose(packed['data_samples'].clean_sources[1, 0].numpy(), y, atol=1e-5)
    assert packed['data_samples'].metainfo['target'] is None


def test_misaligned_clean_sources_fail_clearly(grey):
    results = RandomDegradeSources(seed=0)(sample(grey))
    results['sources'] = [s[:64, :64] for s in results['sources']]  # a crop after degrading
    with pytest.raises(ValueError, match='PairedRandomCrop'):
        PackDegradedFusionInputs()(results)
