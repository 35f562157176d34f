"""Replay: what the memory stores and how it is mixed into batches."""

import pytest
import torch

from fusionbox.continual import Replay
from fusionbox.structures import FusionSample


def batch(task, b=4, size=8, gt=True, start=0):
    samples = []
    for i in range(b):
        sample = FusionSample(
            metainfo=dict(
                task=task,
                stem=f'{task}{start + i}',
                prompt='p',
                source_names=('a', 'b'),
                is_color=False,
            )
        )
        sample.chroma = torch.zeros(2, size, size)
        if gt:
            sample.gt = torch.full((1, size, size), float(start + i))
        samples.append(sample)
    return {'inputs': [torch.rand(2, 1, size, size) for _ in range(b)], 'data_samples': samples}


def test_memory_keeps_what_the_loss_needs_only():
    replay = Replay(capacity=8, ratio=0.5)
    replay.before_task(None, ['mef'], 0)
    replay.observe(batch('mef'))
    item = replay.memory.items()[0]
    assert item['inputs'].shape == (2, 1, 8, 8)
    assert set(item['metainfo']) == {'task', 'stem', 'prompt', 'source_names', 'is_color'}
    assert set(item['fields']) == {'gt'}  # chroma is not needed to recompute the loss


def test_mixes_past_tasks_only_at_the_ratio():
    replay = Replay(capacity=8, ratio=0.5, seed=1)
    replay.before_task(None, ['ivf'], 0)
    current = batch('ivf')
    assert replay.mix_batch(current) is current  # nothing to replay in the first stage
    for k in range(3):
        replay.observe(batch('ivf', start=4 * k))
    replay.after_task(None, iter(()), None)
    replay.before_task(None, ['mif'], 1)
    replay.observe(batch('mif'))
    mixed = replay.mix_batch(batch('mif', b=6))
    assert len(mixed['inputs']) == len(mixed['data_samples']) == 9
    extra = mixed['data_samples'][6:]
    assert {s.task for s in extra} == {'ivf'}
    assert all('gt' in s and 'chroma' not in s for s in extra)
    assert len({s.stem for s in extra}) == 3  # drawn without replacement


def test_mixing_refuses_different_shapes():
    replay = Replay(capacity=4, ratio=1.0)
    replay.before_task(None, ['ivf'], 0)
    replay.observe(batch('ivf', size=8))
    replay.after_task(None, iter(()), None)
    replay.before_task(None, ['mif'], 1)
    with pytest.raises(ValueError, match='crop size'):
        replay.mix_batch(batch('mif', size=16))


def test_state_round_trip_draws_the_same_samples():
    replay = Replay(capacity=6, ratio=0.5, seed=2)
    replay.before_task(None, ['ivf'], 0)
    replay.observe(batch('ivf'))
    replay.after_task(None, iter(()), None)
    replay.before_task(None, ['mif'], 1)
    other = Replay(capacity=6, ratio=0.5, seed=7)
    other.load_state_dict(replay.state_dict())
    other.before_task(None, ['mif'], 1)
    a, b = replay.mix_batch(batch('mif')), other.mix_batch(batch('mif'))
    assert [s.stem for s in a['data_samples']] == [s.stem for s in b['data_samples']]
