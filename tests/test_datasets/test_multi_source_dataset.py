import numpy as np
import pytest

from fusionbox.datasets import MultiSourceFusionDataset
from fusionbox.datasets.transforms import LoadMultiSourceImages
from fusionbox.registry import DATASETS

from .conftest import random_image, write_png


def test_stem_matching_and_entries(make_pairs):
    root = make_pairs(stems=('b', 'a', 'c'), gt='gt')
    (root / 'vi' / 'notes.txt').write_text('not an image')
    ds = MultiSourceFusionDataset(
        data_root=root, task='ivf', sources=['ir', 'vi'], gt='gt', prompt='denoise'
    )
    assert len(ds) == 3
    info = ds.get_data_info(0)
    assert info['stem'] == 'a' and info['sample_idx'] == 0
    assert info['source_names'] == ['ir', 'vi']
    assert info['source_paths'] == [str(root / 'ir' / 'a.png'), str(root / 'vi' / 'a.png')]
    assert info['gt_path'] == str(root / 'gt' / 'a.png')
    assert info['mask_path'] is None and info['pseudo_label_path'] is None
    assert info['task'] == 'ivf' and info['prompt'] == 'denoise'
    assert [ds.get_data_info(i)['stem'] for i in range(3)] == ['a', 'b', 'c']


def test_build_from_registry_and_mixed_extensions(tmp_path):
    rng = np.random.default_rng(1)
    write_png(tmp_path / 'A' / 'x.png', random_image(rng))
    write_png(tmp_path / 'B' / 'x.jpg', random_image(rng))
    ds = DATASETS.build(
        dict(
            type='MultiSourceFusionDataset',
            data_root=str(tmp_path),
            task='mff',
            sources=['A', 'B'],
            source_names=['near', 'far'],
        )
    )
    assert ds[0]['source_paths'][1].endswith('x.jpg')
    assert ds[0]['source_names'] == ['near', 'far']


def test_missing_partner_names_stem_and_folder(make_pairs):
    root = make_pairs()
    (root / 'vi' / 'b.png').unlink()
    with pytest.raises(FileNotFoundError, match=r"stem 'b' is in .*ir but not in .*vi"):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'vi'])


def test_missing_and_empty_folders(make_pairs, tmp_path):
    root = make_pairs()
    with pytest.raises(FileNotFoundError, match=r"source 'nope' folder .*nope does not exist"):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'nope'])
    (root / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match=r'empty holds no image'):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'empty'])
    with pytest.raises(FileNotFoundError, match='data_root'):
        MultiSourceFusionDataset(data_root=tmp_path / 'absent', task='ivf', sources=['a', 'b'])
    with pytest.raises(FileNotFoundError, match=r"gt folder .*gt lacks stem 'a'"):
        (root / 'gt').mkdir()
        write_png(root / 'gt' / 'z.png', np.zeros((8, 10), np.uint8))
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir', 'vi'], gt='gt')


def test_bad_arguments(make_pairs):
    root = make_pairs()
    with pytest.raises(KeyError, match="unknown dataset layout 'NoSuch'.*MSRS"):
        MultiSourceFusionDataset(data_root=root, layout='NoSuch')
    with pytest.raises(ValueError, match='unknown fusion task'):
        MultiSourceFusionDataset(data_root=root, task='xyz', sources=['ir', 'vi'])
    with pytest.raises(ValueError, match='>= 2 sources'):
        MultiSourceFusionDataset(data_root=root, task='ivf', sources=['ir'])
    with pytest.raises(ValueError, match="layout 'MSRS' is a 'ivf' dataset"):
        MultiSourceFusionDataset(data_root=root, task='mef', layout='MSRS')


def test_layout_fills_sources(make_pairs):
    ds = MultiSourceFusionDataset(data_root=make_pairs(), layout='MSRS')
    assert ds.task == 'ivf' and ds.source_names == ('ir', 'vi') and len(ds) == 3


def test_sample_folder_layout_case_insensitive(tmp_path):
    rng = np.random.default_rng(2)
    write_png(tmp_path / 'Sky' / 'sKY_a.png', random_image(rng))
    write_png(tmp_path / 'Sky' / 'Sky_B.png', random_image(rng))
    write_png(tmp_path / 'Door' / 'Door_A.png', random_image(rng))
    write_png(tmp_path / 'Door' / 'Door_B.png', random_image(rng))
    (tmp_path / 'Door' / 'ev.txt').write_text('1 2')
    ds = MultiSourceFusionDataset(data_root=tmp_path, layout='MEFB')
    assert [ds[i]['stem'] for i in range(2)] == ['Door', 'Sky']
    assert ds[1]['source_paths'][0].endswith('sKY_a.png')
    assert ds[1]['source_names'] == ['under', 'over']
    (tmp_path / 'Door' / 'Door_B.png').unlink()
    with pytest.raises(FileNotFoundError, match=r"Door lacks its source '_B' image Door_B"):
        MultiSourceFusionDataset(data_root=tmp_path, layout='MEFB')


def test_pseudo_label_dir(make_pairs):
    root = make_pairs()
    rng = np.random.default_rng(3)
    for stem in 'abc':
        write_png(root / 'labels' / f'{stem}.png', random_image(rng, channels=1))
    ds = MultiSourceFusionDataset(
        data_root=root, task='ivf', sources=['ir', 'vi'], pseudo_label_dir='labels'
    )
    assert ds[2]['pseudo_label_path'] == str(root / 'labels' / 'c.png')
    (root / 'labels' / 'c.png').unlink()
    with pytest.raises(FileNotFoundError, match="pseudo-label folder .* lacks stem 'c'"):
        MultiSourceFusionDataset(
            data_root=root, task='ivf', sources=['ir', 'vi'], pseudo_label_dir=root / 'labels'
        )


def test_load_errors_name_files(make_pairs):
    root = make_pairs()
    (root / 'vi' / 'a.png').write_bytes(b'not a png at all')
    rng = np.random.default_rng(4)
    write_png(root / 'vi' / 'b.png', random_image(rng, shape=(9, 10)))
    pipeline = [dict(type='LoadMultiSourceImages')]
    ds = MultiSourceFusionDataset(
        data_root=root, task='ivf', sources=['ir', 'vi'], pipeline=pipeline, test_mode=True
    )
    with pytest.raises(OSError, match=r'cannot read image .*vi/a\.png'):
        ds[0]
    with pytest.raises(ValueError, match=r"'b' differ in size .*ir/b\.png: 8x10.*vi/b\.png: 9x10"):
        ds[1]
    out = ds[2]
    assert out['sources'][0].shape == (8, 10, 1) and out['sources'][1].shape == (8, 10, 3)
    assert isinstance(ds.pipeline.transforms[0], LoadMultiSourceImages)
