"""benchmarks/mmaif_degraded.py --quick on the held-out MIF stems (labels made here): a degraded
real pair per condition, every method scored against the clean sources' label, the prompts
recorded beside the fused images, the wrong prompt never names the applied operation."""

import json

import numpy as np
import pytest

from fusionbox.degradations import PROMPT_BANK, RandomDegradationComposer
from fusionbox.tasks import get_task
from fusionbox.utils import register_all_modules

from .conftest import REPO, load_benchmark, needs_shared_data

CONFIG = 'configs/mmaif/mmaif_moe-dit-t-haar2_reg_real-degraded.py'


@pytest.fixture(scope='module')
def bench():
    register_all_modules()
    return load_benchmark('mmaif_degraded')


def test_wrong_prompt_names_an_operation_that_was_not_applied(bench):
    composer = RandomDegradationComposer()
    records = [dict(type='GaussianNoise', sources=['ct'])]
    noise = PROMPT_BANK['GaussianNoise']['keywords']
    for seed in range(20):
        prompt = bench.wrong_prompt(
            composer, 'mif', ['ct', 'mri'], records, np.random.default_rng(seed)
        )
        assert prompt and not any(k in prompt.lower() for k in noise), prompt


def test_conditions_are_the_task_set_then_its_combinations(bench):
    args = bench.parse_args(['--out', 'x'])
    conds = bench.conditions('mif', args)
    assert conds[:5] == [
        ('GaussianNoise',),
        ('PoissonNoise',),
        ('GaussianBlur',),
        ('Downsample',),
        ('LowContrast',),
    ]
    assert conds[5:] == [tuple(c) for c in get_task('mif').degradation_combos]
    assert bench.conditions('mif', bench.parse_args(['--out', 'x', '--quick'])) == conds[:1]


@pytest.mark.slow
@needs_shared_data[0]
@needs_shared_data[1]
def test_quick_run_on_held_out_mif_pairs(bench, tmp_path):
    out = tmp_path / 'out'
    argv = ['--out', str(out), '--quick', '--tasks', 'mif', '--mmaif', f'reg={REPO / CONFIG}',
            '--fusionfm', '', '--labels-dir', str(tmp_path / 'labels')]  # fmt: skip
    assert bench.main(argv) == 0
    result = json.loads((out / 'results.json').read_text())
    (row,) = result['rows']
    assert row['task'] == 'mif' and row['condition'] == 'GaussianNoise'
    assert [r['type'] for r in row['records']] == ['GaussianNoise']
    assert any(k in row['prompt'].lower() for k in PROMPT_BANK['GaussianNoise']['keywords'])
    scores = row['scores']
    assert set(scores) == {'MMAIF reg', 'cascade', 'best prior', 'best prior (clean sources)'}
    # the noise costs the prior PSNR to the clean label; the cascade's denoising wins some back
    assert scores['best prior (clean sources)']['PSNR_ref'] > scores['best prior']['PSNR_ref']
    assert scores['cascade']['PSNR_ref'] > scores['best prior']['PSNR_ref']
    assert {'Qabf', 'VIF', 'SSIM'} <= set(scores['cascade'])
    prompts = row['prompts']
    assert prompts['right'] == row['prompt'] and prompts['wrong'] != prompts['right']
    assert set(row['prompts_scores']['MMAIF reg']) == {'right', 'wrong', 'empty'}
    recorded = json.loads((out / 'fused' / 'MMAIF_reg' / 'prompts.json').read_text())
    ((image, prompt),) = recorded.items()
    assert prompt == row['prompt'] and (out / 'fused' / 'MMAIF_reg' / image).is_file()
    assert (out / 'examples.png').stat().st_size > 10_000
    assert '| GaussianNoise | mif | 1 |' in (out / 'results.md').read_text()
    assert bench.main(argv) == 1  # refuses an existing --out
