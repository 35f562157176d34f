"""The main job with a zoo default: the zoo model fuses the test split beside the trained one."""

import json

import pytest

from fusionbox.apis.demo import run_demo


@pytest.mark.slow
def test_demo_shows_the_zoo_default_beside_the_trained_model(tiny_zoo, tiny_checkpoint, tmp_path):
    out = run_demo(tiny_checkpoint['config'], str(tmp_path / 'results'), max_iters=2)
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['zoo_model']['name'] == 'tiny'
    zoo_metrics = summary['zoo_model']['metrics']
    # the tiny zoo entry fuses ivf and mef only: the other tasks are left out, not faked
    assert {k.split('/')[0] for k in zoo_metrics if '/' in k} == {'ivf', 'mef'}
    for key, row in summary['verdict'].items():
        assert row['zoo'] == zoo_metrics.get(key)
    table = (out / 'verdict.md').read_text()
    assert '| zoo: tiny |' in table and '| mif | SF |' in table
    zoo_images = sorted((out / 'zoo' / 'tiny').rglob('*.png'))
    model_images = sorted(
        p for p in (out / 'fused').rglob('*.png') if p.parent.name in ('ivf', 'mef')
    )
    assert zoo_images and [p.relative_to(out / 'zoo' / 'tiny') for p in zoo_images] == [
        p.relative_to(out / 'fused') for p in model_images
    ]
    assert (out / 'comparison_vs_average.png').is_file()
