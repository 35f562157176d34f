"""DegradedRealFusionDataset: degraded real pairs whose target is the pseudo-label of the clean
sources, a prompt that names every recorded operation, draws keyed by seed, set, stem and draw,
infrared stripes on the infrared source only, VIFB refused in training."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from fusionbox.degradations import DEFAULT_TASK_OPS, PROMPT_BANK
from fusionbox.registry import DATASETS
from fusionbox.utils import register_all_modules
from fusionbox.utils.image_io import read_image, write_image

TEST_PIPELINE = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


@pytest.fixture(scope='module', autouse=True)
def _registered():
    register_all_modules()


def _natural(seed: int, size: int = 64) -> np.ndarray:
    """A crop of scikit-image's camera (grey) at a seed-dependent place, (size, size) in [0, 1]."""
    from skimage import data

    image = data.camera().astype(np.float32) / 255.0
    rng = np.random.default_rng(seed)
    y, x = rng.integers(0, 512 - 2 * size, size=2)
    return cv2.resize(image[y : y + 2 * size, x : x + 2 * size], (size, size))


@pytest.fixture(scope='module')
def real_set(tmp_path_factory):
    """An MSRS-layout folder (ir/, vi/) of 6 pairs and a folder of their clean-source labels
    (the mean of the two clean sources, as a prior of the recipe would write one)."""
    root = tmp_path_factory.mktemp('msrs')
    labels = root / 'labels'
    for i in range(6):
        ir, vi = _natural(2 * i), _natural(2 * i + 1)
        write_image(root / 'ir' / f'{i:05d}.png', ir)
        write_image(root / 'vi' / f'{i:05d}.png', vi)
        write_image(labels / f'{i:05d}.png', (ir + vi) / 2)
    return root, labels


def _dataset(root, labels, seed=0, subset=None, **kwargs):
    inner = dict(
        type='MultiSourceFusionDataset',
        layout='MSRS',
        data_root=str(root),
        subset=subset,
        pseudo_label_dir=None if labels is None else str(labels),
        pipeline=TEST_PIPELINE,
    )
    degrade = kwargs.pop('degrade', {})
    return DATASETS.build(
        dict(
            type='DegradedRealFusionDataset',
            dataset=inner,
            degrade=dict(type='RandomDegradeSources', seed=seed, **degrade),
            **kwargs,
        )
    )


def test_targets_are_the_label_of_the_clean_sources(real_set):
    root, labels = real_set
    ds = _dataset(root, labels, test_mode=True)
    assert len(ds) == 6
    for i in range(len(ds)):
        packed = ds[i]
        sample, inputs = packed['data_samples'], packed['inputs'].numpy()  # (2, 1, H, W)
        clean = sample.clean_sources.numpy()
        stem = sample.stem
        label = read_image(labels / f'{stem}.png')[..., 0]  # (H, W)
        assert sample.target == 'pseudo_label'
        # the target is the label file, which is the fusion of the CLEAN sources ...
        np.testing.assert_allclose(sample.pseudo_label.numpy()[0], label, atol=1e-6)
        np.testing.assert_allclose(label, clean.mean(axis=0)[0], atol=1.0 / 255 + 1e-6)
        # ... and the clean sources are the files on disk, the inputs the degraded ones
        for k, role in enumerate(('ir', 'vi')):
            np.testing.assert_allclose(clean[k, 0], read_image(root / role / f'{stem}.png')[..., 0])
        assert np.abs(inputs - clean).max() > 0.02
        assert np.abs(inputs.mean(axis=0)[0] - label).mean() > 0.004


def test_the_record_matches_the_prompt(real_set):
    root, labels = real_set
    ds = _dataset(root, labels, test_mode=True)
    counts = []
    for i in range(len(ds)):
        sample = ds[i]['data_samples']
        records = sample.degradations
        counts.append(len(records))
        assert 1 <= len(records) <= 3
        prompt = sample.prompt.lower()
        for record in records:
            assert record['type'] in DEFAULT_TASK_OPS['ivf']
            keywords = PROMPT_BANK[record['type']]['keywords']
            assert any(k in prompt for k in keywords), (record['type'], prompt)
            assert len(record['params']) == len(record['sources']) >= 1
    assert len(set(counts)) > 1  # 1 to 3 operations, not a fixed number


def test_draws_are_keyed_by_seed_set_stem_and_draw(real_set):
    root, labels = real_set
    a, b = (
        _dataset(root, labels, seed=3, test_mode=True),
        _dataset(root, labels, seed=3, test_mode=True),
    )
    c = _dataset(root, labels, seed=4, test_mode=True)
    # the same seed: the same samples, in any fetch order; another seed: others
    first = [a[i] for i in range(6)]
    for i in reversed(range(6)):
        again = b[i]
        assert again['data_samples'].prompt == first[i]['data_samples'].prompt
        assert np.array_equal(again['inputs'].numpy(), first[i]['inputs'].numpy())
        assert np.array_equal(a[i]['inputs'].numpy(), first[i]['inputs'].numpy())  # fixed copy
    other = [c[i]['data_samples'].degradations for i in range(6)]
    assert other != [s['data_samples'].degradations for s in first]
    # fresh draws (training): the k-th fetch uses draw k, reproducibly
    fresh1, fresh2 = _dataset(root, labels, seed=3), _dataset(root, labels, seed=3)
    assert fresh1.fresh and not a.fresh
    seq1 = [fresh1[0]['data_samples'].degradations for _ in range(4)]
    seq2 = [fresh2[0]['data_samples'].degradations for _ in range(4)]
    assert seq1 == seq2 and len({repr(s) for s in seq1}) == 4
    assert seq1[0] == first[0]['data_samples'].degradations  # draw 0 is the fixed copy
    # two sets with equal stems draw differently
    key_msrs = fresh1.degrade_key(dict(task='ivf', dataset='MSRS', stem='00000'), 0)
    key_tno = fresh1.degrade_key(dict(task='ivf', dataset='TNO', stem='00000'), 0)
    assert key_msrs != key_tno and key_msrs[1:] == key_tno[1:]


def test_stripes_only_on_the_infrared_source(real_set):
    root, labels = real_set
    ds = _dataset(
        root, labels, test_mode=True,
        degrade=dict(task_ops=dict(ivf=['stripe_noise', 'rain', 'gaussian_noise']), num_ops=3),
    )  # fmt: skip
    seen = set()
    for i in range(len(ds)):
        for record in ds[i]['data_samples'].degradations:
            seen.add(record['type'])
            if record['type'] == 'StripeNoise':
                assert record['sources'] == ['ir']
            if record['type'] == 'Rain':
                assert record['sources'] == ['vi']
    assert seen == {'StripeNoise', 'Rain', 'GaussianNoise'}


def test_bad_input_is_one_clear_error(real_set, tmp_path):
    root, labels = real_set
    with pytest.raises(ValueError, match="sample '00000' of .* has no pseudo-label"):
        _dataset(root, None)
    _dataset(root, None, require_target=False)  # evaluation without labels
    with pytest.raises(ValueError, match='degrade.seed must be an int'):
        _dataset(root, labels, seed=None)
    vifb = dict(type='MultiSourceFusionDataset', layout='VIFB', data_root=str(tmp_path))
    with pytest.raises(ValueError, match='VIFB is an evaluation set'):
        DATASETS.build(dict(type='DegradedRealFusionDataset', dataset=vifb))


def test_the_training_pipeline_crops_clean_degraded_and_label_alike(real_set):
    root, labels = real_set
    pipeline = [
        dict(type='LoadMultiSourceImages'),
        dict(type='PairedRandomCrop', size=32),
        dict(type='PairedRandomFlip', prob=0.5),
        dict(type='SourcesToYCbCr'),
        dict(type='PackFusionInputs'),
    ]
    ds = _dataset(root, labels, pipeline=pipeline)
    sample = ds[2]['data_samples']
    assert tuple(ds[2]['inputs'].shape) == (2, 1, 32, 32)
    clean, label = sample.clean_sources.numpy(), sample.pseudo_label.numpy()[0]
    np.testing.assert_allclose(label, clean.mean(axis=0)[0], atol=1.0 / 255 + 1e-6)
    assert Path(ds.get_data_info(2)['pseudo_label_path']).name == '00002.png'
