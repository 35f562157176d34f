"""A folder written by ``fusionbox degrade --names`` read back: folders paired by stem (draws keyed
by stem), ``read_degrade_record`` and ``DegradedRecordDataset`` (the record's prompt and
operations per sample, the degraded images on disk, the clean sources' label as the target),
with errors that name the file, the sample or the key."""

import json

import cv2
import numpy as np
import pytest

from fusionbox.cli.main import main
from fusionbox.degradations.degraded_real_dataset import DEGRADE_RECORD, read_degrade_record
from fusionbox.registry import DATASETS
from fusionbox.utils import register_all_modules
from fusionbox.utils.image_io import read_image, write_image

STEMS = ('pier', 'street', 'tower')


@pytest.fixture(scope='module', autouse=True)
def _registered():
    register_all_modules()


def _crop(image: np.ndarray, k: int) -> np.ndarray:
    """A 48 x 64 crop of a scikit-image photograph, at a place set by ``k``."""
    y, x = 40 + 60 * k, 30 + 80 * k
    return cv2.resize(image[y : y + 192, x : x + 256], (64, 48), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope='module')
def pairs(tmp_path_factory):
    """``ir/`` (grey camera crops) and ``vi/`` (colour astronaut crops), three stems."""
    from skimage import data

    root = tmp_path_factory.mktemp('clean')
    for k, stem in enumerate(STEMS):
        write_image(root / 'ir' / f'{stem}.png', _crop(data.camera(), k))
        write_image(root / 'vi' / f'{stem}.png', _crop(data.astronaut(), k))
    return root


def _degrade(pairs, out, *extra) -> int:
    return main(
        ['degrade', '--ops', 'stripe_noise,rain', '--names', 'ir,vi', *extra,
         str(pairs / 'ir'), str(pairs / 'vi'), '-o', str(out)]
    )  # fmt: skip


@pytest.fixture(scope='module')
def degraded(pairs, tmp_path_factory):
    out = tmp_path_factory.mktemp('degraded') / 'out'
    assert _degrade(pairs, out, '--seed', '4') == 0
    return out


def test_degrade_pairs_folders_by_stem_one_prompt_each(pairs, degraded, tmp_path, capsys):
    record = json.loads((degraded / DEGRADE_RECORD).read_text())
    assert [s['outputs'] for s in record['samples']] == [
        [str(degraded / 'ir' / f'{s}.png'), str(degraded / 'vi' / f'{s}.png')] for s in STEMS
    ]
    assert record['samples'][0]['inputs'] == [str(pairs / 'ir' / 'pier.png'),
                                             str(pairs / 'vi' / 'pier.png')]  # fmt: skip
    for sample in record['samples']:
        assert {r['type']: r['sources'] for r in sample['degradations']} == {
            'Rain': ['vi'],
            'StripeNoise': ['ir'],
        }
        assert 'infrared' in sample['prompt'] and 'visible' in sample['prompt']
    assert len({s['prompt'] for s in record['samples']}) > 1  # one draw per stem
    # the draw is keyed by (seed, stem): a folder holding one of the stems degrades it the same
    alone = tmp_path / 'alone'
    for role in ('ir', 'vi'):
        (alone / role).mkdir(parents=True)
        (alone / role / 'street.png').write_bytes((pairs / role / 'street.png').read_bytes())
    assert _degrade(alone, tmp_path / 'out', '--seed', '4') == 0
    for role in ('ir', 'vi'):
        again = (tmp_path / 'out' / role / 'street.png').read_bytes()
        assert again == (degraded / role / 'street.png').read_bytes()
    single = json.loads((tmp_path / 'out' / DEGRADE_RECORD).read_text())['samples'][0]
    assert single['prompt'] == record['samples'][1]['prompt']


def test_degrade_refuses_unpaired_files_and_mixed_inputs(pairs, tmp_path, capsys):
    lone = tmp_path / 'ir' / 'lone.png'
    lone.parent.mkdir()
    lone.write_bytes((pairs / 'ir' / 'pier.png').read_bytes())
    (tmp_path / 'vi').mkdir()
    assert _degrade(tmp_path, tmp_path / 'out') == 2
    err = capsys.readouterr().err
    assert f"{lone} has no partner in the 'vi' folder {tmp_path / 'vi'}" in err
    code = main(['degrade', '--ops', 'rain', '--names', 'ir,vi', str(pairs / 'ir'),
                 str(pairs / 'vi' / 'pier.png'), '-o', str(tmp_path / 'o')])  # fmt: skip
    assert code == 2 and 'as files or as folders, not both' in capsys.readouterr().err
    assert not (tmp_path / 'out').exists() and not (tmp_path / 'o').exists()


def test_record_dataset_reads_the_folder_back(pairs, degraded, tmp_path):
    record = json.loads((degraded / DEGRADE_RECORD).read_text())['samples']
    labels = tmp_path / 'labels'  # a stand-in label of the clean sources: their mean luma
    for stem in STEMS:
        ir = read_image(pairs / 'ir' / f'{stem}.png')
        vi = read_image(pairs / 'vi' / f'{stem}.png') @ np.float32([0.299, 0.587, 0.114])
        write_image(labels / f'{stem}.png', (ir[..., 0] + vi) / 2)
    ds = DATASETS.build(
        dict(type='DegradedRecordDataset', data_root=str(degraded), task='ivf',
             pseudo_label_dir=str(labels))
    )  # fmt: skip
    assert len(ds) == len(STEMS)
    for i, (stem, entry) in enumerate(zip(STEMS, record)):
        item = ds[i]
        sample = item['data_samples']
        assert sample.stem == stem and sample.source_names == ('ir', 'vi')
        assert sample.prompt == entry['prompt'] and sample.degradations == entry['degradations']
        assert sample.clean_paths == entry['inputs'] and sample.target == 'pseudo_label'
        ir = read_image(degraded / 'ir' / f'{stem}.png')[..., 0]  # the degraded images on disk
        np.testing.assert_allclose(item['inputs'][0, 0].numpy(), ir, atol=1e-6)
        label = read_image(labels / f'{stem}.png')[..., 0]
        np.testing.assert_allclose(sample.pseudo_label[0].numpy(), label, atol=1e-6)
    clean = read_image(pairs / 'ir' / 'pier.png')[..., 0]
    assert np.abs(ds[0]['inputs'][0, 0].numpy() - clean).mean() > 0.01  # degraded, not clean
    # the record file itself works as well; no label folder: no target
    plain = DATASETS.build(
        dict(type='DegradedRecordDataset', data_root=str(degraded / DEGRADE_RECORD), task='ivf')
    )
    assert plain[2]['data_samples'].target is None
    assert plain[2]['data_samples'].prompt == record[2]['prompt']


def test_record_dataset_errors_name_the_sample_file_and_key(degraded, tmp_path, color):
    labels = tmp_path / 'labels'
    write_image(labels / 'pier.png', color)
    with pytest.raises(ValueError, match=f"sample 'street' of {degraded} has no pseudo-label in "):
        DATASETS.build(dict(type='DegradedRecordDataset', data_root=str(degraded), task='ivf',
                            pseudo_label_dir=str(labels)))  # fmt: skip
    with pytest.raises(FileNotFoundError, match=f'{tmp_path / DEGRADE_RECORD} does not exist'):
        read_degrade_record(tmp_path)
    broken = tmp_path / 'broken.json'
    broken.write_text('{"samples": [{"inputs": [], "outputs": ["a.png"], "degradations": []}]}')
    with pytest.raises(ValueError, match=f"{broken}: sample 0 has no 'prompt'"):
        read_degrade_record(broken)
    broken.write_text('not json')
    with pytest.raises(ValueError, match=f'{broken} is not a fusionbox degrade record'):
        read_degrade_record(broken)
    broken.write_text('{"seed": 0}')
    with pytest.raises(ValueError, match=r"not a fusionbox degrade record \(no 'samples' key\)"):
        read_degrade_record(broken)
    broken.write_text('{"samples": 5}')
    with pytest.raises(ValueError, match='"samples" is not a list of objects'):
        read_degrade_record(broken)
    sample = dict(inputs=[], outputs='a.png', degradations=[], prompt='')
    broken.write_text(json.dumps(dict(samples=[sample])))
    with pytest.raises(ValueError, match=f"{broken}: sample 0 has a malformed 'outputs'"):
        read_degrade_record(broken)
    lone = tmp_path / 'lone'  # one image degraded on its own: not a fusion sample
    write_image(tmp_path / 'photo.png', color)
    assert main(['degrade', '--ops', 'rain', str(tmp_path / 'photo.png'), '-o', str(lone)]) == 0
    with pytest.raises(ValueError, match="sample 'photo' is one image degraded on its own"):
        DATASETS.build(dict(type='DegradedRecordDataset', data_root=str(lone), task='ivf'))
    with pytest.raises(ValueError, match='xyz'):
        DATASETS.build(dict(type='DegradedRecordDataset', data_root=str(degraded), task='xyz'))
