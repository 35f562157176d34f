"""Nothing is replaced without a flag, and the flag replaces only the command's own files:
``fusionbox fuse`` into a folder holding an earlier result, ``fusionbox degrade`` run twice and
the degradation gallery run twice."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from fusionbox.cli.main import main
from fusionbox.utils.image_io import read_image, write_image

REPO = Path(__file__).resolve().parents[2]


def load_tool(path: str):
    spec = importlib.util.spec_from_file_location(Path(path).stem, REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(argv, capsys):
    """(exit status, stderr) of ``fusionbox <argv>``."""
    code = main(argv)
    return code, capsys.readouterr().err


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob('*') if p.is_file()}


@pytest.fixture
def sources(tmp_path) -> Path:
    rng = np.random.default_rng(1)
    for stem in ('a', 'b'):
        for role in ('ir', 'vi'):
            write_image(tmp_path / 'src' / role / f'{stem}.png', rng.random((24, 32)))
    return tmp_path / 'src'


def test_fuse_keeps_an_earlier_result_and_the_flag_replaces_only_its_outputs(
    tiny_checkpoint, sources, tmp_path, capsys
):
    out = tmp_path / 'out'
    write_image(out / 'a.png', np.zeros((24, 32)))  # an earlier result of stem a
    write_image(out / 'mine.png', np.ones((5, 5)))  # not an output of this command
    (out / 'notes.txt').write_text('keep me')
    earlier = snapshot(out)
    argv = ['fuse', '--task', 'ivf', '--config', tiny_checkpoint['config'], '--checkpoint',
            str(tiny_checkpoint['checkpoint']), '--source', f'ir={sources / "ir"}',
            '--source', f'vi={sources / "vi"}', '-o', str(out)]  # fmt: skip

    assert run(argv, capsys)[0] == 0
    after = snapshot(out)
    assert {k: after[k] for k in earlier} == earlier  # a.png kept as it was
    assert set(after) == {*earlier, Path('b.png')}

    assert run([*argv, '--overwrite'], capsys)[0] == 0
    replaced = snapshot(out)
    assert replaced[Path('a.png')] != earlier[Path('a.png')]
    assert replaced[Path('b.png')] == after[Path('b.png')]  # the same result, rewritten
    assert read_image(out / 'a.png').std() > 0
    for name in ('mine.png', 'notes.txt'):
        assert replaced[Path(name)] == earlier[Path(name)]
    assert set(replaced) == set(after)  # nothing removed, no temporary left


def test_degrade_refuses_a_rerun_and_the_flag_replaces_only_its_outputs(sources, tmp_path, capsys):
    out = tmp_path / 'degraded'

    def argv(seed, *flags):
        return ['degrade', '--ops', 'stripe_noise', '--names', 'ir', '--seed', str(seed),
                str(sources / 'ir' / 'a.png'), '-o', str(out), *flags]  # fmt: skip

    assert run(argv(0), capsys)[0] == 0
    (out / 'notes.txt').write_text('keep me')
    first = snapshot(out)
    assert set(first) == {Path('ir/a.png'), Path('degradations.json'), Path('notes.txt')}

    code, err = run(argv(1), capsys)  # another seed, no flag
    assert code != 0 and 'refusing to overwrite' in err and str(out / 'ir' / 'a.png') in err
    assert snapshot(out) == first

    assert run(argv(1, '--overwrite'), capsys)[0] == 0
    second = snapshot(out)
    assert set(second) == set(first) and second[Path('notes.txt')] == first[Path('notes.txt')]
    assert second[Path('ir/a.png')] != first[Path('ir/a.png')]
    assert json.loads(second[Path('degradations.json')])['seed'] == 1


def test_the_degradation_gallery_refuses_a_rerun_without_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('FUSIONBOX_SHARED_DATA', str(tmp_path / 'absent'))  # the sample photos
    gallery = load_tool('tools/analysis/degradation_gallery.py')
    out = tmp_path / 'gallery.png'
    out.write_bytes(b'an earlier figure')
    assert gallery.main(['--out', str(out), '--width', '64']) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        f'degradation_gallery: error: {out} exists; pass --overwrite (overwrite=True) to '
        'replace it'
    )
    assert out.read_bytes() == b'an earlier figure'
    assert gallery.main(['--out', str(out), '--width', '64', '--overwrite']) == 0
    assert read_image(out).shape[0] > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ['gallery.png']
