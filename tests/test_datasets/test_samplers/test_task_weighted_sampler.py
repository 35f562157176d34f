"""TaskWeightedSampler: the task frequencies follow the weights, the stream follows the seed."""

import itertools
from collections import Counter

import pytest
from mmengine.dataset import ConcatDataset

from fusionbox.datasets import MultiSourceFusionDataset, TaskWeightedSampler
from fusionbox.registry import DATA_SAMPLERS

from ..conftest import write_png


def _folder(root, task, n, rng_seed=0):
    import numpy as np

    rng = np.random.default_rng(rng_seed)
    for stem in range(n):
        for src in ('a', 'b'):
            write_png(root / src / f'{stem:03d}.png', rng.integers(0, 256, (4, 4), dtype=np.uint8))
    return MultiSourceFusionDataset(data_root=root, task=task, sources=['a', 'b'])


@pytest.fixture
def mixed(tmp_path):
    """ivf 10 samples, mif 2, mef 5 + 5 (two sets), no mff: unequal sizes on purpose."""
    parts = [
        _folder(tmp_path / 'ivf', 'ivf', 10),
        _folder(tmp_path / 'mif', 'mif', 2),
        _folder(tmp_path / 'mef1', 'mef', 5),
        _folder(tmp_path / 'mef2', 'mef', 5),
    ]
    return ConcatDataset(parts, ignore_keys=['task', 'source_names', 'layout'])


def _draw(sampler, n):
    return list(itertools.islice(iter(sampler), n))


def _task_of(dataset):
    return [dataset.get_data_info(i)['task'] for i in range(len(dataset))]


def test_task_frequencies_follow_the_weights(mixed):
    sampler = TaskWeightedSampler(mixed, task_weights=dict(ivf=1.0, mif=2.0, mef=1.0), seed=3)
    tasks = _task_of(mixed)
    counts = Counter(tasks[i] for i in _draw(sampler, 20000))
    assert set(counts) == {'ivf', 'mif', 'mef'}
    for task, share in dict(ivf=0.25, mif=0.5, mef=0.25).items():
        assert counts[task] / 20000 == pytest.approx(share, abs=0.015), counts
    # within a task, the samples are drawn uniformly: mif has 2 samples, each about half
    mif = Counter(i for i in _draw(sampler, 20000) if tasks[i] == 'mif')
    assert sorted(mif) == [10, 11]
    assert mif[10] / sum(mif.values()) == pytest.approx(0.5, abs=0.03)


def test_zero_weight_and_dataset_weights(mixed):
    tasks = _task_of(mixed)
    sampler = TaskWeightedSampler(
        mixed, task_weights=dict(ivf=0.0, mff=5.0), dataset_weights=None, seed=0
    )
    drawn = _draw(sampler, 3000)
    assert 'ivf' not in {tasks[i] for i in drawn}  # weight 0; mff is absent from the data
    # dataset weights split mef 4:1 between its two sets (indices 12-16 and 17-21)
    weighted = TaskWeightedSampler(
        mixed, task_weights=dict(ivf=0, mif=0), dataset_weights=dict(folders=1.0), seed=0
    )
    assert all(12 <= i < 22 for i in _draw(weighted, 500))


def test_same_seed_same_stream_and_rank_slices(mixed, monkeypatch):
    a = _draw(TaskWeightedSampler(mixed, seed=7), 5000)
    b = _draw(TaskWeightedSampler(mixed, seed=7), 5000)
    c = _draw(TaskWeightedSampler(mixed, seed=8), 5000)
    assert a == b and a != c
    # resuming = the same stream: the first k indices of a fresh sampler are a's first k
    assert _draw(TaskWeightedSampler(mixed, seed=7), 100) == a[:100]
    # two ranks split one stream: rank r keeps positions r, r + 2, ...
    import fusionbox.datasets.samplers.task_weighted_sampler as mod

    monkeypatch.setattr(mod, 'get_dist_info', lambda: (1, 2))
    assert _draw(TaskWeightedSampler(mixed, seed=7), 1000) == a[1:2000:2]


def test_in_order_cycling_without_shuffle(mixed):
    sampler = TaskWeightedSampler(mixed, task_weights=dict(ivf=0, mef=0), shuffle=False, seed=0)
    assert _draw(sampler, 5) == [10, 11, 10, 11, 10]


def test_errors_name_the_problem(mixed):
    with pytest.raises(KeyError, match="'ifv'"):
        TaskWeightedSampler(mixed, task_weights=dict(ifv=1.0), seed=0)
    with pytest.raises(KeyError, match='MSRS'):
        TaskWeightedSampler(mixed, dataset_weights=dict(MSRS=1.0), seed=0)
    with pytest.raises(ValueError, match='positive sum'):
        TaskWeightedSampler(mixed, task_weights=dict(ivf=0, mif=0, mef=0), seed=0)
    with pytest.raises(ValueError, match='shuffle=True'):
        TaskWeightedSampler(mixed, dataset_weights=dict(folders=1.0), shuffle=False, seed=0)


def test_registered_and_built_from_config(mixed):
    sampler = DATA_SAMPLERS.build(
        dict(type='TaskWeightedSampler', task_weights=dict(mif=1.0), seed=1),
        default_args=dict(dataset=mixed),
    )
    assert isinstance(sampler, TaskWeightedSampler) and len(sampler) == len(mixed)
