"""The task-balanced reservoir keeps a uniform sample of each task, tasks in equal shares."""

import numpy as np
import pytest
from scipy.stats import chisquare

from fusionbox.continual import TaskBalancedReservoir

STREAMS = {'ivf': 100, 'mif': 60, 'mef': 40}
CAPACITY = 12  # 4 per task once the three tasks are seen


def fill(seed, streams=STREAMS, capacity=CAPACITY):
    memory = TaskBalancedReservoir(capacity, seed=seed)
    for task, n in streams.items():
        for i in range(n):
            memory.add(task, (task, i))
    return memory


def test_shares_are_balanced_and_follow_the_tasks_seen():
    memory = TaskBalancedReservoir(10, seed=0)
    for i in range(30):
        memory.add('ivf', i)
    assert len(memory) == 10
    for i in range(30):
        memory.add('mif', i)
    assert [len(memory.items([t])) for t in ('ivf', 'mif')] == [5, 5]
    for i in range(30):
        memory.add('mef', i)
    assert [len(memory.items([t])) for t in ('ivf', 'mif', 'mef')] == [4, 3, 3]
    assert memory.quota('ivf') == 4 and memory.seen('mef') == 30


def test_each_task_keeps_a_uniform_sample_statistically():
    trials = 1500
    counts = {t: np.zeros(n) for t, n in STREAMS.items()}
    for seed in range(trials):
        memory = fill(seed)
        for task in STREAMS:
            kept = memory.items([task])
            assert len(kept) == CAPACITY // len(STREAMS)
            for _, i in kept:
                counts[task][i] += 1
    for task, n in STREAMS.items():
        expected = trials * 4 / n  # every item is kept with probability quota / n
        assert counts[task].mean() == pytest.approx(expected)
        p = chisquare(counts[task]).pvalue  # H0: every item equally likely
        assert p > 1e-3, f'{task}: inclusion counts not uniform (p={p:.2g})'
    # the first items (kept before the share shrank) are not favoured over the last ones
    first, last = counts['ivf'][:50].sum(), counts['ivf'][50:].sum()
    assert abs(first - last) / (first + last) < 0.05


def test_state_dict_resumes_the_same_draws():
    whole = fill(3)
    part = TaskBalancedReservoir(CAPACITY, seed=99)
    head = TaskBalancedReservoir(CAPACITY, seed=3)
    for i in range(70):
        head.add('ivf', ('ivf', i))
    part.load_state_dict(head.state_dict())
    for i in range(70, 100):
        part.add('ivf', ('ivf', i))
    for task, n in list(STREAMS.items())[1:]:
        for i in range(n):
            part.add(task, (task, i))
    assert part.items() == whole.items()


def test_rejects_a_bad_capacity():
    with pytest.raises(ValueError, match='capacity'):
        TaskBalancedReservoir(0)
