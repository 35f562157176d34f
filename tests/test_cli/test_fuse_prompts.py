"""``fusionbox fuse --prompts-from RECORD``: each sample fused with the prompt ``fusionbox degrade``
recorded for it (the zoo's MMAIF model, which reads prompts), ``prompts.json`` beside the
outputs, a sample missing from the record named (skipped in a folder run), ``--prompt`` refused
with it."""

import json

import cv2
import numpy as np
import pytest
from test_cli.test_fuse import _cli

from fusionbox.apis import FusionInferencer
from fusionbox.cli.fuse import PROMPTS
from fusionbox.cli.main import main
from fusionbox.utils.image_io import read_image, to_uint8, write_image

MODEL = 'mmaif-t-reg-real'  # shipped in the zoo, with a sentence encoder


@pytest.fixture(scope='module')
def degraded(tmp_path_factory):
    """``clean/{ir,vi}`` (two scikit-image crops each, 48 x 64) degraded by ``fusionbox degrade``
    into ``degraded/`` with its record; ``(root, record samples)``."""
    from skimage import data

    root = tmp_path_factory.mktemp('fuse_prompts')
    for k, stem in enumerate(('a', 'b')):
        y, x = 60 + 90 * k, 40 + 100 * k
        for role, image in (('ir', data.camera()), ('vi', data.astronaut())):
            crop = cv2.resize(image[y : y + 192, x : x + 256], (64, 48))
            write_image(root / 'clean' / role / f'{stem}.png', crop)
    code = main(['degrade', '--ops', 'stripe_noise,low_light', '--names', 'ir,vi',
                 str(root / 'clean' / 'ir'), str(root / 'clean' / 'vi'), '-o',
                 str(root / 'degraded')])  # fmt: skip
    assert code == 0
    record = json.loads((root / 'degraded' / 'degradations.json').read_text())['samples']
    return root, {s['outputs'][0].rsplit('/', 1)[1]: s['prompt'] for s in record}


@pytest.fixture(scope='module')
def fuser():
    return FusionInferencer(MODEL)


def test_folder_run_fuses_each_sample_with_its_recorded_prompt(degraded, fuser, tmp_path, capsys):
    root, prompts = degraded
    assert len(set(prompts.values())) == 2
    for role in ('ir', 'vi'):  # a pair that the record does not know
        extra = root / 'degraded' / role / 'extra.png'
        extra.write_bytes((root / 'clean' / role / 'a.png').read_bytes())
    out = tmp_path / 'fused'
    argv = ['fuse', '--task', 'ivf', '--model', MODEL, '--source', f'ir={root}/degraded/ir',
            '--source', f'vi={root}/degraded/vi', '--prompts-from', str(root / 'degraded'),
            '-o', str(out)]  # fmt: skip
    try:
        code, stdout, err = _cli(argv, capsys)
    finally:
        for role in ('ir', 'vi'):
            (root / 'degraded' / role / 'extra.png').unlink()
    assert code == 1 and 'fused 2' in stdout and 'failed 1 of 3' in stdout
    assert (
        f'fusionbox fuse: extra: no prompt for {root}/degraded/ir/extra.png, '
        f'{root}/degraded/vi/extra.png: not in the degradation record {root}/degraded' in err
    )
    assert not (out / 'extra.png').exists()
    assert json.loads((out / PROMPTS).read_text()) == prompts
    for name, prompt in prompts.items():
        sources = [str(root / 'degraded' / role / name) for role in ('ir', 'vi')]
        written = read_image(out / name)
        expected = fuser(sources, 'ivf', prompt=prompt)[0]
        np.testing.assert_array_equal(to_uint8(written), to_uint8(expected))
        unprompted = to_uint8(fuser(sources, 'ivf', prompt='')[0])
        assert np.abs(unprompted.astype(int) - to_uint8(written)).max() > 0  # the prompt counts


def test_single_run_records_its_prompt_beside_the_output(degraded, tmp_path, capsys):
    root, prompts = degraded
    sources = [str(root / 'degraded' / role / 'b.png') for role in ('ir', 'vi')]
    (tmp_path / PROMPTS).write_text(json.dumps({'earlier.png': 'kept'}))
    out = tmp_path / 'b_fused.png'
    code, _, err = _cli(
        ['fuse', '--task', 'ivf', '--model', MODEL, *sources, '--prompts-from',
         str(root / 'degraded' / 'degradations.json'), '-o', str(out)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert out.is_file()
    assert json.loads((tmp_path / PROMPTS).read_text()) == {
        'b_fused.png': prompts['b.png'],
        'earlier.png': 'kept',
    }


def test_prompt_errors_are_one_line_naming_the_files(degraded, tmp_path, capsys):
    root, _ = degraded
    clean = [str(root / 'clean' / role / 'a.png') for role in ('ir', 'vi')]
    record = str(root / 'degraded')
    base = ['fuse', '--task', 'ivf', '--model', MODEL, '-o', str(tmp_path / 'x.png')]
    code, _, err = _cli([*base, *clean, '--prompt', 'derain', '--prompts-from', record], capsys)
    assert code == 2
    assert err == 'fusionbox fuse: error: give --prompt TEXT or --prompts-from RECORD, not both\n'
    code, _, err = _cli([*base, *clean, '--prompts-from', record], capsys)  # before any model
    assert code == 1
    assert err == (
        f'fusionbox fuse: error: no prompt for {clean[0]}, {clean[1]}: not in the degradation '
        f'record {record}\n'
    )
    code, _, err = _cli([*base, *clean, '--prompts-from', str(tmp_path)], capsys)
    assert code == 1 and f'{tmp_path}/degradations.json does not exist' in err
    assert not (tmp_path / 'x.png').exists() and not (tmp_path / PROMPTS).exists()


def test_a_model_without_text_encoder_refuses_the_record_once(
    degraded, tiny_checkpoint, tmp_path, capsys
):
    root, _ = degraded
    code, _, err = _cli(
        ['fuse', '--task', 'ivf', '--config', tiny_checkpoint['config'], '--checkpoint',
         str(tiny_checkpoint['checkpoint']), '--source', f'ir={root}/degraded/ir', '--source',
         f'vi={root}/degraded/vi', '--prompts-from', str(root / 'degraded'), '-o',
         str(tmp_path / 'out')],
        capsys,
    )  # fmt: skip
    assert code == 2 and err.count('\n') == 1
    assert 'has no text encoder: it takes no --prompts-from' in err
    assert not (tmp_path / 'out').exists()
