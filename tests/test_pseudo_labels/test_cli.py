import json

import cv2
import numpy as np
import pytest

from fusionbox.cli.main import main

from .conftest import texture


def _write(folder, stem, image):
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / f'{stem}.png'), (np.clip(image, 0, 1) * 255).round().astype(np.uint8))


@pytest.fixture
def ivf_folders(tmp_path):
    for i, stem in enumerate(('s1', 's2')):
        ir = texture(32, 40, seed=10 + i)
        ir[8:16, 8:16] = 0.95
        _write(tmp_path / 'ir', stem, ir)
        vi = np.stack([texture(32, 40, seed=20 + i)] * 3, -1)
        vi[..., 0] *= 0.8  # colour
        _write(tmp_path / 'vi', stem, vi)
    return tmp_path


def _args(root, out, *extra):
    return [
        'pseudo-labels',
        '--task',
        'ivf',
        '--source',
        f'ir={root / "ir"}',
        '--source',
        f'vi={root / "vi"}',
        '-o',
        str(out),
        '--priors',
        'Average,ChooseMax,GFF',
        '--no-progress',
        *extra,
    ]


def test_cli_writes_labels_provenance_report_and_resumes(ivf_folders, tmp_path, capsys):
    out = tmp_path / 'out'
    assert main(_args(ivf_folders, out)) == 0
    for stem in ('s1', 's2'):
        label = cv2.imread(str(out / 'labels' / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        assert label.shape == (32, 40, 3)  # a colour source gives a colour label
        rec = json.loads((out / 'provenance' / f'{stem}.json').read_text())
        assert set(rec['candidates']) == {'Average', 'ChooseMax', 'GFF'}
        assert rec['pick'] == max(rec['candidates'], key=lambda n: rec['candidates'][n]['score'])
        assert rec['refinement']['score_refined'] >= rec['refinement']['score_selected']
        assert rec['source_names'] == ['ir', 'vi']
    report = json.loads((out / 'report.json').read_text())
    assert report['summary']['ivf']['samples'] == 2
    assert (out / 'report.md').is_file() and (out / 'report.png').is_file()
    first = capsys.readouterr().out
    assert 'labelled 2 sample(s), skipped 0' in first
    stamp = (out / 'provenance' / 's1.json').stat().st_mtime_ns
    assert main(_args(ivf_folders, out)) == 0
    assert 'labelled 0 sample(s), skipped 2' in capsys.readouterr().out
    assert (out / 'provenance' / 's1.json').stat().st_mtime_ns == stamp
    # a half-finished sample (label without provenance) is redone
    (out / 'provenance' / 's2.json').unlink()
    assert main(_args(ivf_folders, out)) == 0
    assert 'labelled 1 sample(s), skipped 1' in capsys.readouterr().out


def test_cli_from_config_with_results_and_workers(ivf_folders, tmp_path, capsys):
    results = tmp_path / 'ext'
    for stem in ('s1', 's2'):
        _write(results, f'{stem}_EXT', texture(32, 40, seed=5))
    cfg = tmp_path / 'pl_cfg.py'
    cfg.write_text(
        f"task = 'ivf'\nsources = dict(ir={str(ivf_folders / 'ir')!r}, "
        f"vi={str(ivf_folders / 'vi')!r})\npriors = ['Average', dict(type='DWT', levels=2)]\n"
        f"results = dict(EXT={str(results)!r})\nrefiner = dict(type='FusionRefiner', "
        f"strengths=(1.0,))\nout_dir = {str(tmp_path / 'out')!r}\nworkers = 2\n"
    )
    assert main(['pseudo-labels', str(cfg), '--no-progress']) == 0
    rec = json.loads((tmp_path / 'out' / 'provenance' / 's1.json').read_text())
    assert set(rec['candidates']) == {'Average', 'DWT', 'EXT'}


def test_cli_bad_inputs_name_the_file(ivf_folders, tmp_path, capsys):
    (ivf_folders / 'vi' / 's2.png').write_bytes(b'not an image')
    assert main(_args(ivf_folders, tmp_path / 'out')) == 1
    err = capsys.readouterr().err
    assert 's2.png' in err and 'cannot read image' in err


def test_cli_size_mismatch_and_missing_partner_name_the_files(ivf_folders, tmp_path, capsys):
    _write(ivf_folders / 'vi', 's1', texture(20, 20))
    assert main(_args(ivf_folders, tmp_path / 'out')) == 1
    assert 's1.png' in capsys.readouterr().err
    _write(ivf_folders / 'ir', 's3', texture(32, 40))
    assert main(_args(ivf_folders, tmp_path / 'out2')) == 1
    assert "'s3'" in capsys.readouterr().err


def test_cli_usage_errors(tmp_path, capsys):
    assert main(['pseudo-labels', '--task', 'ivf', '-o', str(tmp_path)]) == 1
    assert 'NAME=DIR' in capsys.readouterr().err
    assert (
        main(
            [
                'pseudo-labels',
                '--task',
                'ivf',
                '--source',
                'ir',
                '--source',
                'vi=x',
                '-o',
                str(tmp_path),
            ]
        )
        == 1
    )
    assert "'ir'" in capsys.readouterr().err
    assert (
        main(
            [
                'pseudo-labels',
                '--task',
                'ivf',
                '--source',
                f'a={tmp_path}',
                '--source',
                f'b={tmp_path}',
                '-o',
                str(tmp_path),
                '--priors',
                'NoSuchPrior',
            ]
        )
        == 1
    )
