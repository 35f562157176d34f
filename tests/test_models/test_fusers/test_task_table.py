"""The fuser records its task table with the weights: checkpoints of another table (a plugin
task, or none recorded) load onto the right task-embedding rows; an untrained task is refused."""

import pytest
import torch

from fusionbox.models.fusers.all_in_one_fuser import _decode_tasks
from fusionbox.registry import MODELS
from fusionbox.utils.checkpoint import load_model_weights, save_model_weights

TINY_UNET = dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16)
ROWS = 'backbone.cond.task.weight'


def _fuser():
    torch.manual_seed(0)
    return MODELS.build(dict(type='AllInOneFuser', backbone=dict(type='UNet', arch=TINY_UNET)))


def _fused(model, task_ids):
    g = torch.Generator().manual_seed(1)
    sources = torch.rand(len(task_ids), 2, 1, 8, 8, generator=g)
    with torch.no_grad():
        return model(dict(sources=sources, task=torch.tensor(task_ids)), mode='tensor')


def _trained(model):
    """Weights that make the output depend on the task (the untrained net ignores it)."""
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g))
    return model


def test_the_state_dict_records_the_task_table():
    state = _fuser().state_dict()
    assert state['_extra_state'].dtype == torch.uint8
    assert _decode_tasks(state['_extra_state']) == ('ivf', 'mif', 'mef', 'mff')
    assert state[ROWS].shape[0] == 4


def test_a_checkpoint_without_a_table_loads_strictly_as_the_four_built_ins():
    old = _trained(_fuser())
    legacy = {k: v for k, v in old.state_dict().items() if k != '_extra_state'}
    new = _fuser()
    new.load_state_dict(legacy)  # strict
    assert new.trained_tasks == ('ivf', 'mif', 'mef', 'mff')
    assert torch.equal(_fused(new, [0, 1, 2, 3]), _fused(old, [0, 1, 2, 3]))


def test_a_four_task_checkpoint_in_a_five_task_process(register_task, tmp_path):
    old = _trained(_fuser())
    path = save_model_weights(old, tmp_path / 'old.safetensors')
    register_task('nir')
    new = _fuser()
    assert new.task_table == ('ivf', 'mif', 'mef', 'mff', 'nir')
    assert new.state_dict()[ROWS].shape[0] == 5
    load_model_weights(new, path)  # strict: the four rows go to their ids
    assert new.trained_tasks == ('ivf', 'mif', 'mef', 'mff')
    assert torch.equal(new.state_dict()[ROWS][:4], old.state_dict()[ROWS])
    assert torch.equal(_fused(new, [0, 3]), _fused(old, [0, 3]))
    with pytest.raises(
        ValueError, match=r"trained on the tasks \['ivf', 'mif', 'mef', 'mff'\], not on 'nir'"
    ):
        _fused(new, [0, 4])


def test_a_plugin_task_checkpoint_survives_safetensors_and_other_task_orders(
    register_task, tmp_path
):
    register_task('nir')
    five = _trained(_fuser())
    path = save_model_weights(five, tmp_path / 'five.safetensors')
    same = _fuser()
    load_model_weights(same, path)
    assert same.trained_tasks == same.task_table
    assert torch.equal(_fused(same, [4, 0]), _fused(five, [4, 0]))
    # another plugin registered first: 'nir' is now id 5, its row moves there
    from fusionbox.registry import TASKS

    nir = TASKS.module_dict.pop('nir')
    register_task('pan')
    TASKS.register_module(name='nir', module=nir)
    moved = _fuser()
    assert moved.task_table == ('ivf', 'mif', 'mef', 'mff', 'pan', 'nir')
    load_model_weights(moved, path)
    assert torch.equal(moved.state_dict()[ROWS][5], five.state_dict()[ROWS][4])
    assert torch.equal(_fused(moved, [5, 1]), _fused(five, [4, 1]))
    with pytest.raises(ValueError, match="not on 'pan'"):
        _fused(moved, [4])


def test_a_plugin_task_checkpoint_without_the_plugin_keeps_the_built_ins(register_task):
    register_task('nir')
    five = _trained(_fuser())
    state = five.state_dict()
    from fusionbox.registry import TASKS

    TASKS.module_dict.pop('nir')
    four = _fuser()
    four.load_state_dict(state)
    assert four.trained_tasks == ('ivf', 'mif', 'mef', 'mff')
    assert torch.equal(_fused(four, [0, 1, 2, 3]), _fused(five, [0, 1, 2, 3]))


def test_a_garbled_task_table_is_reported_by_name():
    state = _fuser().state_dict()
    state['_extra_state'] = torch.zeros(1)
    with pytest.raises(RuntimeError, match='_extra_state is not a task table'):
        _fuser().load_state_dict(state)
