"""The model-core benchmark's --quick smoke run: tables and figure written, --out not overwritten.

No claim about speed or quality: those are measured by the full run, not asserted here.
"""

import json

import pytest

from .conftest import REPO, load_benchmark

BENCHMARK = 'model_core'


def test_quick_run_writes_the_tables_and_the_figure(quick_run):
    module, out = quick_run
    for name in ('cost.md', 'quality_vs_nfe.md', 'quality_vs_nfe.png', 'report.md', 'results.json'):
        assert (out / name).is_file(), name
    results = json.loads((out / 'results.json').read_text())
    cost = results['cost']
    assert [row['NFE'] for row in cost] == ['1', '2']
    assert all(row['config'] == module.LITE for row in cost)
    # FLOPs grow with the NFE; the parameters are the config's
    assert cost[1]['_gflops'] > cost[0]['_gflops'] > 0
    assert cost[0]['_params'] > 0
    rows = {str(r['k']): r for r in results['quality'][0]['rows']}
    assert set(rows) == {'1', '2', 'mean'}
    assert 'all PSNR_vs_ref' in rows['1'] and 'mef SSIM_ref' in rows['mean']


def test_refuses_to_overwrite(quick_run):
    module, out = quick_run
    assert module.main(['--quick', '--out', str(out)]) == 2


def test_transformer_flops_fit_is_exact():
    """c + aT + bT^2 in the tokens reproduces a directly counted size."""
    module = load_benchmark(BENCHMARK)
    module.register_all_modules()
    cfg_path = REPO / 'configs' / 'mmaif' / 'mmaif_moe-dit-t_reg_ivf-mif-mef-mff.py'
    _, model = module.build(cfg_path)
    d = module.token_divisor(model)
    fitted = module.fitted_flops(model, (d * 6, d * 10), log=lambda *a, **k: None)
    counted = module.count_flops(model, module.pair((d * 6, d * 10), model))
    assert fitted == pytest.approx(counted, rel=1e-6)
