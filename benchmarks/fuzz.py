"""A longer fuzzing run of the property-based targets of ``tests/test_reliability/fuzz_targets.py``
(image bytes and files, arrays, every standard metric, ``fusionbox`` command lines).

Usage::

    python benchmarks/fuzz.py [--examples 2000] [--targets image_bytes,metrics] [--seed N]

Each target runs up to ``--examples`` examples (random, not the CI's derandomised ones; a
``--seed`` repeats a run); the metrics target runs them per metric. Hypothesis stops a target at
its first failure and shrinks it, so "failures" counts the (target, metric) runs that broke,
each printed with its smallest failing input. Prints per target the examples run, the failures
found and the time, then the totals; the exit status is 1 when something failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

REPO = Path(__file__).resolve().parents[1]


def load_targets():
    """``tests/test_reliability/fuzz_targets.py`` as a module."""
    path = REPO / 'tests' / 'test_reliability' / 'fuzz_targets.py'
    spec = importlib.util.spec_from_file_location('fuzz_targets', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fuzz(strategy, check, examples: int, random_seed: int | None) -> tuple[int, str | None]:
    """Run ``check`` on up to ``examples`` examples; ``(examples run, failure or None)``."""
    count = [0]

    def counted(value):
        count[0] += 1
        check(value)

    run = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(strategy)(counted))
    if random_seed is not None:
        run = seed(random_seed)(run)
    try:
        run()
    except Exception as exc:  # the shrunk failure: report it and go on with the next target
        message = (str(exc).strip().splitlines() or [''])[0]
        example = next((n for n in getattr(exc, '__notes__', []) if 'Falsifying' in n), '')
        return count[
            0
        ], f'{type(exc).__name__}: {message[:160]} ({" ".join(example.split())[:160]})'
    return count[0], None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--examples', type=int, default=2000, help='examples per target')
    parser.add_argument('--targets', help='comma-separated targets (default: all)')
    parser.add_argument('--seed', type=int, help='random seed (default: a fresh one)')
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error(f'--examples must be positive, got {args.examples}')
    targets = load_targets()
    names = args.targets.split(',') if args.targets else list(targets.TARGETS)
    unknown = sorted(set(names) - set(targets.TARGETS))
    if unknown:
        parser.error(f'unknown target(s) {unknown}; choose from {list(targets.TARGETS)}')
    runs = []
    for name in names:
        strategy, check, _ = targets.TARGETS[name]
        if name == 'metrics':  # per metric: one broken metric does not hide the others
            for metric in targets.metric_names():
                strategy = targets.metric_inputs([metric])
                runs.append((f'metrics/{metric}', strategy, check))
        else:
            runs.append((name, strategy, check))
    total, failures = 0, []
    print(f'{"target":<22} {"examples":>8} {"failed":>6} {"seconds":>8}')
    for name, strategy, check in runs:
        start = time.perf_counter()
        count, failure = fuzz(strategy, check, args.examples, args.seed)
        total += count
        print(f'{name:<22} {count:>8} {int(failure is not None):>6} '
              f'{time.perf_counter() - start:>8.1f}', flush=True)  # fmt: skip
        if failure:
            failures.append((name, failure))
    print(f'\n{total} examples run over {len(runs)} targets; {len(failures)} failure(s) found')
    for name, failure in failures:
        print(f'  {name}: {failure}')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
