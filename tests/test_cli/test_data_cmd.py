import json

import mmcv
import numpy as np

from fusionbox.cli.main import main


def write(path, shape=(16, 16)):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    mmcv.imwrite(image, str(path))


def test_check_indexes_and_reads_a_folder(tmp_path, capsys):
    for stem in ('a', 'b'):
        write(tmp_path / 'ir' / f'{stem}.png')
        write(tmp_path / 'vi' / f'{stem}.png', shape=(16, 16, 3))
    assert (
        main(['data', 'check', str(tmp_path), '--task', 'ivf', '--sources', 'ir,vi', '--verbose'])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report['samples'] == 2 and report['sources'] == ['ir', 'vi']
    assert report['shapes']['a'] == [[16, 16, 1], [16, 16, 3]]


def test_check_names_the_missing_partner_and_the_bad_file(tmp_path, capsys):
    write(tmp_path / 'ir' / 'a.png')
    write(tmp_path / 'ir' / 'b.png')
    write(tmp_path / 'vi' / 'a.png')
    assert main(['data', 'check', str(tmp_path), '--task', 'ivf', '--sources', 'ir,vi']) == 1
    err = capsys.readouterr().err
    assert "stem 'b'" in err and str(tmp_path / 'vi') in err
    (tmp_path / 'ir' / 'b.png').unlink()
    (tmp_path / 'vi' / 'a.png').write_bytes(b'not an image')
    assert main(['data', 'check', str(tmp_path), '--task', 'ivf', '--sources', 'ir,vi']) == 1
    assert str(tmp_path / 'vi' / 'a.png') in capsys.readouterr().err


def test_check_mismatched_sizes_name_both_files(tmp_path, capsys):
    write(tmp_path / 'ir' / 'a.png', shape=(16, 16))
    write(tmp_path / 'vi' / 'a.png', shape=(16, 20))
    assert main(['data', 'check', str(tmp_path), '--task', 'ivf', '--sources', 'ir,vi']) == 1
    err = capsys.readouterr().err
    assert 'ir/a.png' in err and 'vi/a.png' in err


def test_layouts_lists_the_public_datasets(capsys):
    assert main(['data', 'layouts']) == 0
    out = capsys.readouterr().out
    for name in (
        'MSRS',
        'TNO',
        'RoadScene',
        'M3FD',
        'LLVIP',
        'Harvard-MRI-CT',
        'MEFB',
        'SICE',
        'Lytro',
        'MFFW',
        'MFI-WHU',
    ):
        assert name in out
