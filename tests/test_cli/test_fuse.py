"""``fusionbox fuse`` and ``fusionbox models``: the command-line contract, in process."""

import json
import re

import cv2
import numpy as np
import pytest

from fusionbox.apis import FusionInferencer, fuse
from fusionbox.cli.main import main
from fusionbox.utils.image_io import read_image, to_uint8, write_image


def _cli(argv, capsys):
    """(exit status, stdout, stderr) of ``fusionbox <argv>``."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def model_args(tiny_checkpoint):
    return [
        '--config',
        tiny_checkpoint['config'],
        '--checkpoint',
        str(tiny_checkpoint['checkpoint']),
    ]


def _pair(folder, stem, shape=(37, 53), seed=0, colour=True, bits=8):
    rng = np.random.default_rng(seed)
    ir = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 2)
    vi = rng.random((*shape, 3) if colour else shape).astype(np.float32)
    paths = []
    for role, image in (('ir', ir), ('vi', vi)):
        paths.append(write_image(folder / role / f'{stem}.png', image, bits=bits))
    return paths


def test_single_pair_in_colour_matches_the_inferencer(
    tmp_path, model_args, tiny_checkpoint, capsys
):
    ir, vi = _pair(tmp_path, 'scene')
    out = tmp_path / 'fused.png'
    code, stdout, err = _cli(
        ['fuse', '--task', 'ivf', *model_args, str(ir), str(vi), '-o', str(out)], capsys
    )
    assert code == 0, err
    written = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert written.dtype == np.uint8 and written.shape == (37, 53, 3)
    fuser = FusionInferencer(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']))
    expected = to_uint8(fuse(fuser, [str(ir), str(vi)], 'ivf'))
    np.testing.assert_array_equal(written[..., ::-1], expected)
    # an existing output is refused without --overwrite, and left as it was
    before = out.read_bytes()
    code, _, err = _cli(
        ['fuse', '--task', 'ivf', *model_args, str(ir), str(vi), '-o', str(out)], capsys
    )
    assert (
        code == 1
        and err.strip() == f'fusionbox fuse: error: {out} exists; pass --overwrite to replace it'
    )
    assert out.read_bytes() == before


def test_16_bit_sources_give_a_16_bit_png(tmp_path, model_args, capsys):
    ir, vi = _pair(tmp_path, 'deep', colour=False, bits=16)
    out = tmp_path / 'deep.png'
    code, _, err = _cli(
        ['fuse', '--task', 'mif', *model_args, str(ir), str(vi), '-o', str(out)], capsys
    )
    assert code == 0, err
    written = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert written.dtype == np.uint16 and written.shape == (37, 53)
    assert len(np.unique(written % 257)) > 1  # not 8-bit values scaled up


def test_folder_mode_bad_file_missing_partner_and_kept_outputs(tmp_path, model_args, capsys):
    for i, stem in enumerate(('a', 'b', 'c')):
        _pair(tmp_path, stem, shape=(37 + i, 53), seed=i)
    (tmp_path / 'vi' / 'b.png').write_bytes(b'')  # zero bytes
    write_image(tmp_path / 'ir' / 'lonely.png', np.zeros((8, 8)))
    out = tmp_path / 'out'
    argv = ['fuse', '--task', 'ivf', *model_args, '--source', f'ir={tmp_path / "ir"}',
            '--source', f'vi={tmp_path / "vi"}', '-o', str(out)]  # fmt: skip
    code, stdout, err = _cli(argv, capsys)
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ['a.png', 'c.png']
    assert read_image(out / 'c.png').shape == (39, 53, 3)
    assert f'b: cannot read image {tmp_path / "vi" / "b.png"}: the file is empty' in err
    assert "lonely: no partner in source folder 'vi'" in err
    assert re.search(r'fused 2 \(\d+ ms per image\), kept 0 existing', stdout)
    assert 'failed 2 of 4 samples' in stdout
    assert 'Traceback' not in err
    # a second run keeps what exists, and --overwrite replaces it
    (out / 'a.png').write_bytes(b'kept')
    code, stdout, _ = _cli(argv, capsys)
    assert code == 1 and 'fused 0, kept 2 existing' in stdout
    assert (out / 'a.png').read_bytes() == b'kept'
    (tmp_path / 'vi' / 'b.png').unlink()
    (tmp_path / 'ir' / 'b.png').unlink()
    (tmp_path / 'ir' / 'lonely.png').unlink()
    code, stdout, err = _cli([*argv, '--overwrite'], capsys)
    assert code == 0, err
    assert 'ms per image), kept 0 existing' in stdout
    assert read_image(out / 'a.png').shape == (37, 53, 3)
    assert not [p for p in out.iterdir() if p.name.startswith('.')]  # atomic: no temporaries


def test_exposure_stack_and_tiling(tmp_path, model_args, tiny_checkpoint, capsys):
    rng = np.random.default_rng(5)
    scene = cv2.GaussianBlur(rng.random((150, 170, 3)).astype(np.float32), (0, 0), 3)
    paths = [
        write_image(tmp_path / f'ev{k}.png', np.clip(scene * g, 0, 1))
        for k, g in enumerate((0.5, 1, 2))
    ]
    out = tmp_path / 'stack.png'
    argv = ['fuse', '--task', 'mef', *model_args, *map(str, paths), '-o', str(out), '--tile', '64']
    code, _, err = _cli(argv, capsys)
    assert code == 0, err
    tiler = FusionInferencer(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']), tile=64)
    expected = to_uint8(fuse(tiler, [str(p) for p in paths], 'mef'))
    np.testing.assert_array_equal(cv2.imread(str(out))[..., ::-1], expected)
    # above the bound without tiling: refused before any work, naming the limit
    code, _, err = _cli(
        [*argv[:-2], '-o', str(tmp_path / 'x.png'), '--max-pixels', '10000'], capsys
    )
    assert code == 1 and 'exceeds max_pixels=10000' in err and not (tmp_path / 'x.png').exists()


@pytest.mark.parametrize(
    'argv, code, message',
    [
        (['--task', 'xyz', 'a.png', 'b.png', '-o', 'o.png'], 2, "unknown task 'xyz'"),
        (['--task', 'ivf', 'a.png', '-o', 'o.png'], 2, 'two or more source files'),
        (['--task', 'ivf', '--steps', '-1', 'a.png', 'b.png', '-o', 'o.png'], 2, '--steps must be'),
        (['--task', 'ivf', '--steps', 'x', 'a.png', 'b.png', '-o', 'o.png'], 2, 'invalid int'),
        (['--task', 'ivf', '--tile', '99999', 'a.png', 'b.png', '-o', 'o.png'], 1,
         'exceeds max_pixels'),
        (['--task', 'ivf', '--tile', '4', 'a.png', 'b.png', '-o', 'o.png'], 1,
         'tile must be at least 32'),
        (['--task', 'ivf', '--config', 'c.py', 'a.png', 'b.png', '-o', 'o.png'], 2, 'go together'),
        (['--task', 'ivf', 'a.png', 'b.png'], 2, 'required: -o/--output'),
        (['--task', 'ivf', '--source', 'ir=/nope', '--source', 'vi=/nope2', '-o', 'out'], 1,
         "source 'ir' folder /nope does not exist"),
        (['--task', 'ivf', '--source', 'ir', '--source', 'vi=x', '-o', 'out'], 2, 'ROLE=DIR'),
        (['--task', 'ivf', 'missing1.png', 'missing2.png', '-o', 'o.png'], 1,
         'source image missing1.png does not exist'),
        (['--task', 'ivf', 'a.png', 'b.png', '-o', 'o.txt'], 2, 'give an image file'),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_no_traceback(argv, code, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ('a', 'b'):
        write_image(tmp_path / f'{name}.png', np.zeros((8, 8)))
    got, _, err = _cli(['fuse', *argv], capsys)
    lines = err.strip().splitlines()
    assert got == code and len(lines) == 1, err
    assert lines[0].startswith('fusionbox fuse: error: ') and message in lines[0]


def test_zoo_default_and_models_listing(tmp_path, tiny_zoo, tiny_checkpoint, capsys):
    ir, vi = _pair(tmp_path, 'z', colour=False)
    out = tmp_path / 'zoo.png'
    code, _, err = _cli(['fuse', '--task', 'ivf', str(ir), str(vi), '-o', str(out)], capsys)
    assert code == 0, err
    fuser = FusionInferencer(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']))
    np.testing.assert_array_equal(
        cv2.imread(str(out), cv2.IMREAD_UNCHANGED), to_uint8(fuse(fuser, [str(ir), str(vi)], 'ivf'))
    )
    code, _, err = _cli(
        [
            'fuse',
            '--task',
            'mif',
            '--model',
            'tiny',
            str(ir),
            str(vi),
            '-o',
            str(tmp_path / 'm.png'),
        ],
        capsys,
    )
    assert code == 1 and "zoo model 'tiny' fuses ['ivf', 'mef'], not 'mif'" in err
    code, stdout, _ = _cli(['models', '--json'], capsys)
    (entry,) = json.loads(stdout)
    assert entry['name'] == 'tiny' and entry['default'] is True and len(entry['sha256']) == 64
    code, stdout, _ = _cli(['models'], capsys)
    assert code == 0 and 'tiny (default)' in stdout and entry['sha256'] in stdout


def test_named_folders_are_parsed_in_order_and_refused_when_malformed():
    from fusionbox.cli.options import parse_named_folders

    assert list(parse_named_folders(['ir=a', 'vi=b/c'], '--source').items()) == [
        ('ir', 'a'),
        ('vi', 'b/c'),
    ]
    for bad, message in ((['ir'], "expects ROLE=DIR, got 'ir'"), (['a=x', 'a=y'], "'a' twice")):
        with pytest.raises(KeyError, match=message):
            parse_named_folders(bad, '--source', 'ROLE', KeyError)
