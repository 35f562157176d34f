"""The task registry: built-in specs, the structures view, plugin tasks, and the modules that
read the specs instead of keeping tables."""

import pytest

from fusionbox.registry import TASKS
from fusionbox.structures import TASKS as TASK_NAMES
from fusionbox.structures import task_index
from fusionbox.tasks import FusionTask, all_tasks, get_task, spec_table, task_names


def test_built_in_tasks_keep_their_ids_and_the_structures_view():
    assert task_names() == ('ivf', 'mif', 'mef', 'mff')
    assert [s.task_id for s in all_tasks()] == [0, 1, 2, 3]
    assert TASK_NAMES == ('ivf', 'mif', 'mef', 'mff') and len(TASK_NAMES) == 4
    assert [task_index(t) for t in ('ivf', 'mif', 'mef', 'mff')] == [0, 1, 2, 3]
    assert TASK_NAMES.index('mef') == 2 and 'mff' in TASK_NAMES and TASK_NAMES[0] == 'ivf'
    assert sorted(TASKS.module_dict) == ['ivf', 'mef', 'mff', 'mif']
    with pytest.raises(ValueError, match=r"unknown fusion task 'nir'.*'ivf', 'mif'"):
        task_index('nir')


def test_built_in_specs():
    ivf, mif, mef, mff = (get_task(t) for t in ('ivf', 'mif', 'mef', 'mff'))
    assert ivf.source_roles == ('ir', 'vi') and ivf.color_roles == ('vi',)
    assert mif.source_roles == ('func', 'mri') and mif.color_roles == ('func',)
    assert [s.has_gt for s in (ivf, mif, mef, mff)] == [False, False, True, True]
    assert spec_table('init_fusion') == dict(ivf='max', mif='max', mef='mean', mff='mean')
    assert spec_table('intensity_target') == spec_table('init_fusion')
    assert spec_table('judged_by')['mef'] == ('SSIM_ref', 'PSNR_ref')
    assert mff.priors[-1] == 'FocusMap' and 'Mertens' in mef.priors
    assert 'StripeNoise' in ivf.degradations and 'MotionBlur' not in mff.degradations
    with pytest.raises(TypeError, match='task spec'):
        ivf()


def test_modules_read_the_specs():
    from fusionbox.apis.demo import JUDGED_BY
    from fusionbox.continual.loops import DEFAULT_TASK_METRICS as CONTINUAL
    from fusionbox.degradations import DEFAULT_TASK_OPS
    from fusionbox.models.losses import IntensityLoss
    from fusionbox.models.objectives import FlowMatching
    from fusionbox.pseudo_labels import DEFAULT_PRIORS
    from fusionbox.pseudo_labels.refiners import FusionRefiner
    from fusionbox.pseudo_labels.selectors import TaskAwareSelector

    assert FlowMatching().init_fusion == ['max', 'max', 'mean', 'mean']
    assert FlowMatching(init_fusion=dict(mff='focus')).init_fusion[3] == 'focus'
    assert IntensityLoss().targets == ['max', 'max', 'mean', 'mean']
    assert DEFAULT_TASK_OPS['mif'] == get_task('mif').degradations
    assert DEFAULT_PRIORS['ivf'] == get_task('ivf').priors
    assert JUDGED_BY['ivf'] == ('SF', 'Qabf') and CONTINUAL['mef'] == 'SSIM_ref'
    assert TaskAwareSelector().task_metrics('mef') == {
        'Qabf': 1.0,
        'SSIM': 1.0,
        'EN': 1.0,
        'VIF': 0.5,
    }
    detectors = [c['detector'] for c in FusionRefiner().components['mff']]
    assert detectors == ['misfocus', 'misfocus', 'lost_detail', 'lost_texture', 'noise', 'halo']


def test_a_plugin_task_gets_the_next_id_and_every_module_reads_its_spec(register_task):
    from fusionbox.degradations.composer import RandomDegradationComposer
    from fusionbox.models.losses import IntensityLoss
    from fusionbox.models.objectives import FlowMatching
    from fusionbox.pseudo_labels import DEFAULT_PRIORS
    from fusionbox.pseudo_labels.priors import PCA, FocusMap
    from fusionbox.pseudo_labels.selectors import TaskAwareSelector

    register_task(
        'nir', init_fusion='max', intensity_target='min', priors=('Average', 'PCA'),
        selector_metrics={'SF': 1.0}, degradations=('GaussianNoise', 'Haze'),
    )  # fmt: skip
    assert task_names() == ('ivf', 'mif', 'mef', 'mff', 'nir')
    assert task_index('nir') == 4 and len(TASK_NAMES) == 5 and TASK_NAMES[-1] == 'nir'
    assert FlowMatching().init_fusion[4] == 'max' and IntensityLoss().targets[4] == 'min'
    assert DEFAULT_PRIORS['nir'] == ('Average', 'PCA')
    assert PCA().tasks == ('ivf', 'mif', 'mef', 'nir') and FocusMap().tasks == ('mff',)
    assert TaskAwareSelector().task_metrics('nir') == {'SF': 1.0}
    assert [n for n, _ in RandomDegradationComposer().allowed('nir', None)] == [
        'GaussianNoise',
        'Haze',
    ]


def test_source_kinds_give_the_degradations_their_sources(register_task):
    from fusionbox.degradations import INFRARED, VISIBLE, Rain, StripeNoise
    from fusionbox.tasks import role_names

    assert set(VISIBLE) == {'visible', 'vi', 'under', 'over', 'near', 'far', 'a', 'b'}
    assert INFRARED == ('infrared', 'ir') and 'pet' in role_names('medical')
    rain, stripes = Rain(), StripeNoise()
    assert rain.accepts('vi') and rain.accepts('a') and not rain.accepts('ir')
    assert stripes.accepts('ir') and not stripes.accepts('nir')
    # a plugin task's roles join the kinds its spec declares, live
    register_task('nir', source_roles=('nir', 'rgb'), source_kinds=('infrared', 'visible'))
    assert stripes.accepts('nir') and rain.accepts('rgb') and 'nir' in INFRARED
    register_task('odd', source_roles=('p', 'q'), source_kinds=('visible',))
    with pytest.raises(ValueError, match=r"task 'odd': source_kinds \('visible',\)"):
        role_names('visible')
    with pytest.raises(ValueError, match="unknown source kind 'thermal'"):
        role_names('thermal')


def test_specs_are_checked(register_task):
    register_task('bad', task_id=7)  # a declared id must extend 0..n-1
    with pytest.raises(ValueError, match='declared task ids'):
        task_names()
    TASKS.module_dict.pop('bad')
    TASKS.register_module(
        name='other', module=type('X', (FusionTask,), dict(name='x', title='', source_roles=()))
    )
    try:
        with pytest.raises(ValueError, match="name 'x', registered as 'other'"):
            task_names()
    finally:
        TASKS.module_dict.pop('other')


def test_fusionbox_list_shows_the_tasks_registry():
    from fusionbox.cli.list_cmd import registry_contents

    assert registry_contents()['tasks'] == ['ivf', 'mef', 'mff', 'mif']


def test_cascade_prior_and_degradation_combinations_come_from_the_specs():
    from fusionbox.degradations.restoration import RestoreThenFuse
    from fusionbox.registry import PRIORS

    cascade = RestoreThenFuse()
    for spec in all_tasks():
        assert cascade.prior_cfgs[spec.name] == spec.baseline_prior
        assert spec.baseline_prior in spec.priors and spec.baseline_prior in PRIORS.module_dict
        for combo in spec.degradation_combos:
            assert 2 <= len(combo) <= 3 and set(combo) <= set(spec.degradations), combo
    assert get_task('mif').baseline_prior == 'ChooseMax'
