import json
import threading

import pytest

from fusionbox.datasets.embedded import (
    EMBEDDED_VERSION,
    SPLITS,
    build_embedded_benchmark,
    build_embedded_split,
    embedded_sources,
    embedded_split_dir,
)
from fusionbox.structures import TASKS

SMALL = dict(size=64, num_samples=dict(train=2, val=1, test=1))


def _bytes(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob('*.png'))}


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp('embedded')
    return root, build_embedded_benchmark(root=root, seed=0, **SMALL)


def test_standard_layout(bench):
    root, top = bench
    assert top == root / f'{EMBEDDED_VERSION}-seed0-s64'
    for task in TASKS:
        for split in SPLITS:
            folder = embedded_split_dir(task, split, 0, 64, root)
            meta = json.loads((folder / 'meta.json').read_text())
            assert meta['task'] == task and meta['split'] == split
            for source in embedded_sources(task):
                assert (folder / source / f'{task}-{split}-00000.png').is_file()
            assert (folder / 'gt').is_dir() == (task in ('mef', 'mff'))
            assert (folder / 'masks').is_dir() == (task in ('ivf', 'mff'))
    assert not [p for p in top.rglob('.tmp-*')]


def test_deterministic_by_seed(bench, tmp_path):
    root, top = bench
    again = build_embedded_benchmark(root=tmp_path / 'a', seed=0, **SMALL)
    other = build_embedded_benchmark(root=tmp_path / 'b', seed=1, **SMALL)
    for task in TASKS:
        ref = _bytes(top / task)
        assert ref == _bytes(again / task)
        different = _bytes(other / task)
        assert ref.keys() == different.keys() and ref != different


def test_incomplete_split_is_regenerated(tmp_path):
    folder = build_embedded_split('mef', 'val', size=32, num_samples=1, root=tmp_path)
    reference = _bytes(folder)
    (folder / 'meta.json').unlink()
    (folder / 'over' / 'mef-val-00000.png').unlink()
    assert build_embedded_split('mef', 'val', size=32, num_samples=1, root=tmp_path) == folder
    assert _bytes(folder) == reference
    # a larger request writes a new folder beside it (readers may use the first); the first
    # samples stay the same
    bigger = build_embedded_split('mef', 'val', size=32, num_samples=2, root=tmp_path)
    assert bigger == folder.with_name('val-n2') and _bytes(folder) == reference
    grown = _bytes(bigger)
    assert len(grown) == 6 and all(grown[k] == v for k, v in reference.items())


def test_racing_builders_agree(tmp_path):
    errors = []

    def build():
        try:
            build_embedded_split('mff', 'test', size=32, num_samples=2, root=tmp_path)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    parent = embedded_split_dir('mff', 'test', 0, 32, tmp_path).parent
    assert sorted(p.name for p in parent.iterdir()) == ['test']


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='unknown split'):
        build_embedded_split('ivf', 'dev', root=tmp_path)
    with pytest.raises(ValueError, match='unknown fusion task'):
        build_embedded_split('sar', 'train', root=tmp_path)
    with pytest.raises(ValueError, match='size >= 32'):
        build_embedded_split('ivf', 'train', size=8, root=tmp_path)
