"""benchmarks/few_steps.py: PSNR to the refined pseudo-label of held-out real images by the number
of sampling steps."""

import math

import pytest

from .conftest import REPO, load_benchmark, needs_shared_data


@pytest.fixture(scope='module')
def bench():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO / 'benchmarks'))  # it imports heldout_tasks beside it
        yield load_benchmark('few_steps')


def test_table_means_per_task_and_over_all_samples(bench):
    results = {'m': {'ivf': {2: [20.0, 22.0], 32: [21.0, 21.0]}, 'mff': {2: [30.0], 32: [29.0]}}}
    text = bench.to_markdown(results, [2, 32], 2, 'cmd')
    rows = {line.split(' | ')[1]: line for line in text.splitlines() if line.startswith('| m |')}
    assert rows['ivf'] == '| m | ivf | 2 | 21.00 | 21.00 | +0.00 |'
    assert rows['mff'] == '| m | mff | 1 | 30.00 | 29.00 | +1.00 |'
    # over all 3 samples: 24.00 against 23.67
    assert rows['all'] == '| m | all | 3 | 24.00 | 23.67 | +0.33 |'


def test_step_counts_are_checked(bench, capsys):
    for steps, compare in (('2,x', 2), ('0,2', 2), ('2,4', 3)):
        with pytest.raises(SystemExit) as exc:
            bench.main(['--model', 'fusionfm-lite', '--steps', steps, '--compare', str(compare)])
        assert exc.value.code == 2
    assert '--compare 3 is not one of --steps 2,4' in capsys.readouterr().err


@pytest.mark.slow
@needs_shared_data[0]
@needs_shared_data[1]
def test_zoo_model_on_one_multi_focus_sample(bench, tmp_path):
    from mmengine.config import Config

    cfg = Config.fromfile(str(REPO / bench.DEFAULT_CONFIG))
    held = bench.heldout_sets(cfg, ['mff'], limit=1)
    found = bench.step_psnr('fusionfm-lite', held, tmp_path / 'labels', [1, 2])
    assert set(found) == {'mff'} and [len(v) for v in found['mff'].values()] == [1, 1]
    one, two = found['mff'][1][0], found['mff'][2][0]
    # a trained all-in-one model lands close to its teacher on a Lytro pair, and one step more
    # changes it by a fraction of a decibel
    assert 25 < one < 60 and 25 < two < 60 and math.isfinite(one - two)
    assert abs(one - two) < 3
