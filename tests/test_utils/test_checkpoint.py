"""The safe checkpoint loader on real tools/train.py checkpoints and on code-carrying ones."""

import os
import shutil

import pytest
import torch

from fusionbox.utils.checkpoint import (
    load_checkpoint_file,
    load_model_weights,
    load_state_dict_file,
    save_model_weights,
)
from fusionbox.utils.errors import CheckpointError


class _RunsCode:
    """Unpickling this runs ``touch <marker>``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def _evil_checkpoint(path, marker, state_dict=None):
    torch.save({'meta': {'iter': 2}, 'state_dict': state_dict or {}, 'x': _RunsCode(marker)}, path)
    return path


def _tiny_model(config):
    from mmengine.config import Config

    from fusionbox.registry import MODELS
    from fusionbox.utils import register_all_modules

    register_all_modules()
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(config).model)


def test_a_real_train_checkpoint_loads_with_its_mmengine_objects(tiny_checkpoint):
    from mmengine.logging import HistoryBuffer

    ckpt = load_checkpoint_file(tiny_checkpoint['checkpoint'])
    assert ckpt['meta']['iter'] == 2
    buffers = ckpt['message_hub']['log_scalars']
    assert (
        isinstance(buffers['train/loss'], HistoryBuffer) and len(buffers['train/loss'].data[0]) == 2
    )
    assert 'param_groups' in ckpt['optimizer']
    model = _tiny_model(tiny_checkpoint['config'])
    load_model_weights(model, tiny_checkpoint['checkpoint'])
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, ckpt['state_dict'][name])


def test_safetensors_and_pth_give_the_same_weights(tiny_checkpoint, tmp_path):
    state = load_state_dict_file(tiny_checkpoint['checkpoint'])
    path = save_model_weights(state, tmp_path / 'w.safetensors')
    with pytest.raises(FileExistsError):
        save_model_weights(state, path)
    again = load_state_dict_file(path)
    assert again.keys() == state.keys()
    for key in state:
        torch.testing.assert_close(again[key], state[key])
    model = _tiny_model(tiny_checkpoint['config'])
    load_model_weights(model, path)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, state[name])


def test_resume_from_a_real_checkpoint_continues_training(tiny_checkpoint, tmp_path, run_tool):
    work = tmp_path / 'work'
    shutil.copytree(tiny_checkpoint['work_dir'], work)
    (work / 'last_checkpoint').write_text(str(work / 'iter_2.pth'))
    options = [o for o in tiny_checkpoint['train_options'] if 'max_iters' not in o]
    proc = run_tool('tools/train.py', tiny_checkpoint['config'], '--work-dir', work, '--resume',
                    '--cfg-options', 'train_cfg.max_iters=3', *options)  # fmt: skip
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    resumed = load_checkpoint_file(work / 'iter_3.pth')
    assert resumed['meta']['iter'] == 3
    assert (
        len(resumed['message_hub']['log_scalars']['train/loss'].data[0]) == 3
    )  # history carried on


def test_a_code_carrying_checkpoint_is_refused_and_runs_nothing(tiny_checkpoint, tmp_path):
    from fusionbox.apis import FusionInferencer
    from fusionbox.registry import AUTOENCODERS, PRIORS

    marker = tmp_path / 'MARKER'
    state = load_state_dict_file(tiny_checkpoint['checkpoint'])
    evil = _evil_checkpoint(tmp_path / 'evil.pth', marker, state)
    loaders = [
        lambda: load_checkpoint_file(evil),
        lambda: load_model_weights(_tiny_model(tiny_checkpoint['config']), evil),
        lambda: FusionInferencer(tiny_checkpoint['config'], str(evil)),
        lambda: PRIORS.build(
            dict(type='FuserCheckpoint', config=tiny_checkpoint['config'], checkpoint=str(evil))
        ).fuser(),
        lambda: AUTOENCODERS.build(dict(type='ConvAutoencoder', checkpoint=str(evil))),
    ]
    for load in loaders:
        with pytest.raises(CheckpointError, match=r'evil\.pth refused: .*posix\.system'):
            load()
        assert not marker.exists()


def test_resume_and_test_tools_refuse_a_code_carrying_checkpoint(
    tiny_checkpoint, tmp_path, run_tool
):
    marker = tmp_path / 'MARKER'
    work = tmp_path / 'work'
    work.mkdir()
    state = load_state_dict_file(tiny_checkpoint['checkpoint'])
    evil = _evil_checkpoint(work / 'iter_2.pth', marker, state)
    (work / 'last_checkpoint').write_text(str(evil))
    proc = run_tool('tools/train.py', tiny_checkpoint['config'], '--work-dir', work, '--resume',
                    '--cfg-options', *tiny_checkpoint['train_options'], check=False)  # fmt: skip
    assert proc.returncode != 0 and 'iter_2.pth refused' in proc.stderr
    proc = run_tool('tools/test.py', tiny_checkpoint['config'], evil, '--work-dir', work,
                    '--out-dir', tmp_path / 'out', check=False)  # fmt: skip
    assert proc.returncode != 0 and 'iter_2.pth refused' in proc.stderr
    assert not marker.exists()


def test_unreadable_and_mismatched_files_are_named(tiny_checkpoint, tmp_path):
    truncated = tmp_path / 'cut.pth'
    truncated.write_bytes(tiny_checkpoint['checkpoint'].read_bytes()[:1000])
    with pytest.raises(CheckpointError, match=r'cut\.pth cannot be read'):
        load_checkpoint_file(truncated)
    bad = tmp_path / 'bad.safetensors'
    bad.write_bytes(b'not a safetensors file')
    with pytest.raises(CheckpointError, match=r'bad\.safetensors cannot be read'):
        load_state_dict_file(bad)
    with pytest.raises(FileNotFoundError, match='absent.pth'):
        load_checkpoint_file(tmp_path / 'absent.pth')
    other = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.nothing': torch.zeros(1)}}, other)
    with pytest.raises(CheckpointError, match=r'other\.pth does not fit AllInOneFuser: missing'):
        load_model_weights(_tiny_model(tiny_checkpoint['config']), other)
    wrong_shape = {k: torch.zeros(1) for k in load_state_dict_file(tiny_checkpoint['checkpoint'])}
    torch.save(wrong_shape, tmp_path / 'shape.pth')
    with pytest.raises(CheckpointError, match=r'shape\.pth does not fit .*size mismatch for'):
        load_model_weights(_tiny_model(tiny_checkpoint['config']), tmp_path / 'shape.pth')


def test_mmengine_load_checkpoint_goes_through_the_safe_loader(tiny_checkpoint, tmp_path):
    from mmengine.runner import load_checkpoint

    from fusionbox.utils import register_all_modules

    register_all_modules()
    model = _tiny_model(tiny_checkpoint['config'])
    ckpt = load_checkpoint(model, str(tiny_checkpoint['checkpoint']), logger='silent')
    assert ckpt['meta']['iter'] == 2  # the MMEngine objects load
    marker = tmp_path / 'MARKER'
    evil = _evil_checkpoint(tmp_path / 'evil.pth', marker)
    with pytest.raises(CheckpointError, match=r'evil\.pth refused'):
        load_checkpoint(model, str(evil), logger='silent')
    assert not marker.exists()
