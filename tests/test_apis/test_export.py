"""ONNX export of a two-iteration flow model (4 Euler steps unrolled) and a regression model,
run with onnxruntime at odd sizes and compared with PyTorch and with FusionInferencer."""

import numpy as np
import onnx
import pytest
import torch

from fusionbox.apis import FusionInferencer, build_fuser, fuse
from fusionbox.apis.export import ExportedFuser, export_model, onnx_session, run_onnx
from fusionbox.cli.main import main

#: The tests train a model for two iterations in a subprocess (tools/train.py).
pytestmark = pytest.mark.slow


def _pair(h, w, seed=0, n=2):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    base = 0.5 + 0.3 * np.sin(9 * xx) * np.cos(7 * yy)
    return [
        np.clip(base * (0.6 + 0.3 * k) + 0.1 * rng.random((h, w)), 0, 1).astype(np.float32)
        for k in range(n)
    ]


@pytest.fixture(scope='module')
def flow_onnx(tiny_flow_checkpoint, tmp_path_factory):
    out = tmp_path_factory.mktemp('onnx') / 'flow.onnx'
    info = export_model(
        tiny_flow_checkpoint['config'], out, 'mef', str(tiny_flow_checkpoint['checkpoint'])
    )
    return info, out


def test_flow_export_matches_pytorch_at_odd_sizes(flow_onnx, tiny_flow_checkpoint):
    info, out = flow_onnx
    assert info['nfe'] == 4 and info['size'] == 'dynamic' and info['max_abs_diff'] < 1e-4
    session = onnx_session(out)
    fuser = FusionInferencer(
        tiny_flow_checkpoint['config'], str(tiny_flow_checkpoint['checkpoint'])
    )
    for h, w in ((37, 53), (64, 17), (16, 16)):
        sources = _pair(h, w, seed=h)
        got = run_onnx(session, np.stack(sources))
        assert got.shape == (h, w) and 0 <= got.min() and got.max() <= 1
        expected = fuse(fuser, sources, 'mef')  # the inferencer: pads, samples 4 steps, crops
        np.testing.assert_allclose(got, expected, atol=1e-4)
        assert np.abs(got - sources[0]).mean() > 1e-3  # not a copy of a source


def test_flow_steps_and_solver_are_unrolled(tiny_flow_checkpoint, tmp_path):
    model = build_fuser(tiny_flow_checkpoint['config'], tiny_flow_checkpoint['checkpoint'])
    exported = ExportedFuser(model, 'ivf', steps=2, solver='Heun')
    assert exported.nfe() == 4 and model.objective.num_steps == 4  # the caller's model unchanged
    out = export_model(
        tiny_flow_checkpoint['config'], tmp_path / 'heun.onnx', 'ivf',
        str(tiny_flow_checkpoint['checkpoint']), steps=2, solver='Heun',
    )  # fmt: skip
    assert out['nfe'] == 4 and out['max_abs_diff'] < 1e-4
    sources = _pair(40, 50, seed=3)
    x = torch.from_numpy(np.stack(sources))[None, :, None]  # (1, N, 1, H, W)
    with torch.no_grad():
        reference = exported(x)[0, 0].numpy()
    got = run_onnx(onnx_session(tmp_path / 'heun.onnx'), np.stack(sources))
    np.testing.assert_allclose(got, reference, atol=1e-4)
    four_euler = FusionInferencer(
        tiny_flow_checkpoint['config'], str(tiny_flow_checkpoint['checkpoint'])
    )
    assert np.abs(got - fuse(four_euler, sources, 'ivf')).max() > 1e-6  # another sampler


def test_regression_export_with_three_sources_and_metadata(tiny_checkpoint, tmp_path):
    out = tmp_path / 'reg.onnx'
    info = export_model(
        tiny_checkpoint['config'], out, 'mff', str(tiny_checkpoint['checkpoint']), num_sources=3
    )
    assert info['nfe'] == 1 and info['max_abs_diff'] < 1e-4
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta['task'] == 'mff' and meta['num_sources'] == '3' and meta['nfe'] == '1'
    assert 'luma' in meta['input'] and meta['size'] == 'dynamic'
    sources = _pair(29, 41, seed=5, n=3)
    fuser = FusionInferencer(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint']))
    got = run_onnx(onnx_session(out, threads=1), np.stack(sources))
    np.testing.assert_allclose(got, fuse(fuser, sources, 'mff'), atol=1e-4)


def test_fixed_size_export(tiny_checkpoint, tmp_path):
    out = tmp_path / 'fixed.onnx'
    info = export_model(tiny_checkpoint['config'], out, 'ivf', str(tiny_checkpoint['checkpoint']),
                        size=(24, 40))  # fmt: skip
    assert info['size'] == '24x40' and info['max_abs_diff'] < 1e-4
    dims = onnx.load(str(out)).graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [1, 2, 1, 24, 40]


def test_cli_export_and_its_errors(tiny_flow_checkpoint, tmp_path, capsys):
    out = tmp_path / 'cli.onnx'
    args = ['export', '--format', 'onnx', '--task', 'ivf', '--config',
            tiny_flow_checkpoint['config'], '--checkpoint', str(tiny_flow_checkpoint['checkpoint']),
            '-o', str(out)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f'to {out}' in printed and 'NFE 4' in printed and 'max |ONNX - PyTorch|' in printed
    assert main(args) == 1
    assert 'cli.onnx exists; pass --overwrite' in capsys.readouterr().err
    assert main([*args[:-1], str(tmp_path / 'x.png')]) == 1
    assert 'give a .onnx file' in capsys.readouterr().err
    assert main([*args, '--overwrite', '--task', 'nope']) == 1
    assert "'nope'" in capsys.readouterr().err
    reg = ['export', '--format', 'onnx', '--task', 'ivf', '--config', args[6], '--checkpoint',
           args[8], '--solver', 'Adaptive', '--overwrite', '-o', str(out)]  # fmt: skip
    assert main(reg) == 1
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'Adaptive chooses its steps at run time' in err


def test_zoo_model_export_names_its_weights(tiny_zoo, tmp_path):
    from fusionbox.apis import zoo

    info = export_model('tiny', tmp_path / 'tiny.onnx', 'mef')
    assert (
        info['model'] == 'tiny' and info['source'] == f'zoo sha256 {zoo.get_entry("tiny").sha256}'
    )
    meta = {p.key: p.value for p in onnx.load(str(tmp_path / 'tiny.onnx')).metadata_props}
    assert meta['source'] == info['source']
    with pytest.raises(ValueError, match=r"zoo model 'tiny' fuses \['ivf', 'mef'\], not 'mif'"):
        export_model('tiny', tmp_path / 'mif.onnx', 'mif')
    assert not (tmp_path / 'mif.onnx').exists()
