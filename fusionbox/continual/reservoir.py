"""A fixed-size memory that keeps a uniform sample of each task's stream, tasks in equal shares."""

from __future__ import annotations

import random
from typing import Any, Iterator


class TaskBalancedReservoir:
    """Reservoir sampling per task with the capacity shared equally between the tasks seen.

    Each task has a quota ``capacity // K`` (the first ``capacity % K`` tasks one more) where K is
    the number of tasks seen so far. Within a task, Vitter's algorithm R keeps a uniform sample of
    everything :meth:`add` was given for it; when a new task arrives, each older task is cut down
    to its new quota by a uniform random subset (a uniform subset of a uniform sample is still
    uniform). Items are any Python objects; the random state is part of :meth:`state_dict`, so a
    resumed run draws the same numbers.

    Ref: Random sampling with a reservoir (Vitter, 1985); task-balanced memories in continual
        learning, e.g. GDumb (Prabhu et al., ECCV 2020).

    Args:
        capacity (int): Items kept over all tasks.
        seed (int): Seed of the reservoir's own random generator. Defaults to 0.
    """

    def __init__(self, capacity: int, seed: int = 0) -> None:
        if capacity < 1:
            raise ValueError(f'reservoir capacity must be >= 1, got {capacity}')
        self.capacity = int(capacity)
        self._rng = random.Random(seed)
        self._slots: dict[str, list] = {}  # task -> kept items, tasks in order of arrival
        self._seen: dict[str, int] = {}  # task -> items offered so far

    def quota(self, task: str) -> int:
        """Items ``task`` may keep now."""
        order = list(self._slots)
        base, extra = divmod(self.capacity, len(order))
        return base + (1 if order.index(task) < extra else 0)

    def add(self, task: str, item: Any) -> None:
        """Offer one item of ``task`` to the memory."""
        if task not in self._slots:
            self._slots[task], self._seen[task] = [], 0
            for other, items in self._slots.items():  # shrink the older tasks' shares
                quota = self.quota(other)
                if len(items) > quota:
                    self._slots[other] = self._rng.sample(items, quota)
        n = self._seen[task]
        self._seen[task] = n + 1
        slots, quota = self._slots[task], self.quota(task)
        if len(slots) < quota:
            slots.append(item)
        else:
            j = self._rng.randrange(n + 1)
            if j < quota:
                slots[j] = item

    def items(self, tasks=None) -> list:
        """The kept items (of ``tasks`` only when given), tasks in order of arrival."""
        return [x for t, xs in self._slots.items() if tasks is None or t in tasks for x in xs]

    def tasks(self) -> list[str]:
        return list(self._slots)

    def seen(self, task: str) -> int:
        return self._seen.get(task, 0)

    def __len__(self) -> int:
        return sum(len(xs) for xs in self._slots.values())

    def __iter__(self) -> Iterator:
        return iter(self.items())

    def state_dict(self) -> dict:
        return {
            'capacity': self.capacity,
            'rng_state': self._rng.getstate(),
            'slots': {t: list(xs) for t, xs in self._slots.items()},
            'seen': dict(self._seen),
        }

    def load_state_dict(self, state: dict) -> None:
        if state['capacity'] != self.capacity:
            raise ValueError(
                f'reservoir capacity {self.capacity} differs from the saved {state["capacity"]}'
            )
        self._rng.setstate(state['rng_state'])
        self._slots = {t: list(xs) for t, xs in state['slots'].items()}
        self._seen = dict(state['seen'])
