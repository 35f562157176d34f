"""``fusionbox degrade``: writes degraded images atomically, refuses to overwrite, names an
unreadable input, prints the prompt."""

import json

import cv2
import numpy as np
import pytest

from fusionbox.cli.main import main


@pytest.fixture
def images(tmp_path, color, grey):
    vi = tmp_path / 'in' / 'scene_vi.png'
    ir = tmp_path / 'in' / 'scene_ir.png'
    vi.parent.mkdir()
    cv2.imwrite(str(vi), (color[..., ::-1] * 255).round().astype(np.uint8))
    cv2.imwrite(str(ir), (grey[..., 0] * 255).round().astype(np.uint8))
    return ir, vi


def test_degrade_writes_images_and_prints_the_prompt(images, tmp_path, capsys):
    ir, vi = images
    out = tmp_path / 'out'
    assert main(['degrade', '--ops', 'rain,haze', '--seed', '3', str(vi), '-o', str(out)]) == 0
    prompt = capsys.readouterr().out.strip()
    assert 'rain' in prompt.lower() and any(k in prompt.lower() for k in ('haz', 'fog', 'mist'))
    written = cv2.imread(str(out / 'scene_vi.png'), cv2.IMREAD_UNCHANGED)
    original = cv2.imread(str(vi), cv2.IMREAD_UNCHANGED)
    assert written.shape == original.shape and np.abs(written.astype(int) - original).mean() > 5
    manifest = json.loads((out / 'degradations.json').read_text())
    assert manifest['ops'] == ['Rain', 'Haze'] and manifest['samples'][0]['prompt'] == prompt
    assert not [p for p in out.iterdir() if p.name.startswith('.')]  # no temporary left


def test_degrade_refuses_to_overwrite_unless_asked(images, tmp_path, capsys):
    ir, vi = images
    out = tmp_path / 'out'
    args = ['degrade', '--ops', 'jpeg', str(vi), '-o', str(out)]
    assert main(args) == 0
    first = (out / 'scene_vi.png').read_bytes()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert 'scene_vi.png' in err and '--overwrite' in err
    assert main(args + ['--overwrite']) == 0
    assert (out / 'scene_vi.png').read_bytes() == first  # same seed, same output
    assert (
        main(['degrade', '--ops', 'jpeg', '--seed', '1', '--overwrite', str(vi), '-o', str(out)])
        == 0
    )
    assert (out / 'scene_vi.png').read_bytes() != first


def test_degrade_names_an_unreadable_input(tmp_path, capsys):
    bad = tmp_path / 'broken.png'
    bad.write_text('not an image')
    assert main(['degrade', '--ops', 'rain', str(bad), '-o', str(tmp_path / 'o')]) == 2
    assert str(bad) in capsys.readouterr().err
    missing = tmp_path / 'missing.png'
    assert main(['degrade', '--ops', 'rain', str(missing), '-o', str(tmp_path / 'o')]) == 2
    assert str(missing) in capsys.readouterr().err
    assert not (tmp_path / 'o').exists()


def test_degrade_a_named_pair_targets_each_source(images, tmp_path, capsys):
    ir, vi = images
    out = tmp_path / 'out'
    assert (
        main(
            [
                'degrade',
                '--ops',
                'stripe_noise,rain',
                '--names',
                'ir,vi',
                str(ir),
                str(vi),
                '-o',
                str(out),
            ]
        )
        == 0
    )
    prompt = capsys.readouterr().out.strip()
    assert 'infrared' in prompt and 'visible' in prompt and 'stripe' in prompt.lower()
    records = json.loads((out / 'degradations.json').read_text())['samples'][0]['degradations']
    assert {r['type']: r['sources'] for r in records} == {'Rain': ['vi'], 'StripeNoise': ['ir']}
    assert (out / 'ir' / 'scene_ir.png').is_file() and (out / 'vi' / 'scene_vi.png').is_file()
    same = [tmp_path / kind / 'pair.png' for kind in ('ir', 'vi')]  # a layout: same stems
    for src, dst in zip((ir, vi), same):
        dst.parent.mkdir()
        dst.write_bytes(src.read_bytes())
    assert (
        main(
            [
                'degrade',
                '--ops',
                'haze',
                '--names',
                'ir,vi',
                *map(str, same),
                '-o',
                str(tmp_path / 'o2'),
            ]
        )
        == 0
    )
    assert (tmp_path / 'o2' / 'vi' / 'pair.png').is_file()
    assert (
        main(['degrade', '--ops', 'rain', '--names', 'ir', str(ir), '-o', str(out), '--overwrite'])
        == 2
    )
    assert 'applies to none' in capsys.readouterr().err


def test_degrade_unknown_operation_and_list(tmp_path, capsys):
    assert main(['degrade', '--ops', 'sandstorm', 'x.png', '-o', str(tmp_path)]) == 2
    assert 'unknown degradation' in capsys.readouterr().err
    assert main(['degrade', '--list']) == 0
    listing = capsys.readouterr().out
    assert 'stripe_noise' in listing and 'Rain' in listing
