"""The held-out split of MultiSourceFusionDataset: one stem in ``holdout_every`` by sorted stem."""

import pytest

from fusionbox.datasets import MultiSourceFusionDataset, holdout_stems


def test_holdout_stems_every_kth_in_sorted_order():
    stems = [f'{i:02d}' for i in range(12)][::-1]  # order given does not matter
    assert holdout_stems(stems, 5) == ['04', '09']
    assert holdout_stems(['b', 'a', 'c'], 5) == []  # fewer than every: none held out
    assert holdout_stems([str(i) for i in range(10)], 2) == ['1', '3', '5', '7', '9']


def test_subsets_partition_the_dataset(make_pairs):
    stems = tuple(f's{i}' for i in range(11))
    root = make_pairs(stems=stems)
    kw = dict(data_root=root, task='ivf', sources=['ir', 'vi'], holdout_every=5)
    every = [MultiSourceFusionDataset(subset=s, **kw) for s in (None, 'train', 'holdout')]
    full, train, held = ([d.get_data_info(i)['stem'] for i in range(len(d))] for d in every)
    assert held == ['s3', 's8']  # sorted: s0 s1 s10 s2 s3 s4 s5 s6 s7 s8 s9
    assert sorted(train + held) == sorted(full) and not set(train) & set(held)
    assert len(train) == 9


def test_pseudo_labels_needed_only_for_the_subset(make_pairs, tmp_path):
    root = make_pairs(stems=tuple('abcde'))
    labels = tmp_path / 'labels'
    labels.mkdir()
    (labels / 'e.png').write_bytes((root / 'ir' / 'e.png').read_bytes())  # the held-out one
    ds = MultiSourceFusionDataset(
        data_root=root, task='ivf', sources=['ir', 'vi'], subset='holdout', pseudo_label_dir=labels
    )
    assert ds.get_data_info(0)['pseudo_label_path'].endswith('e.png')
    with pytest.raises(FileNotFoundError, match="lacks stem 'a'"):
        MultiSourceFusionDataset(
            data_root=root,
            task='ivf',
            sources=['ir', 'vi'],
            subset='train',
            pseudo_label_dir=labels,
        )


def test_empty_or_unknown_subset_is_an_error(make_pairs):
    root = make_pairs(stems=('a', 'b'))
    with pytest.raises(ValueError, match="subset 'holdout' of .* is empty: 2 sample"):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'vi'], subset='holdout')
    with pytest.raises(ValueError, match='subset must be one of'):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'vi'], subset='val')
