"""The protocols and ``fusionbox downstream``: results.csv with the contract's columns, a table
and a figure; cached inputs are skipped; a finished folder is refused without --overwrite."""

import csv

import pytest

from fusionbox.downstream import run_downstream


def _seg(tiny_set, out, **kwargs):
    inputs = {'ir': str(tiny_set['ir']), 'vi': str(tiny_set['vi'])}
    logs = []
    results = run_downstream(
        'seg', tiny_set['seg'], inputs, out, iters=2, progress=False, log=logs.append, **kwargs
    )
    return results, logs


@pytest.fixture(scope='module')
def seg_runs(tiny_set, tmp_path_factory):
    out = tmp_path_factory.mktemp('seg')
    retrain, _ = _seg(tiny_set, out / 'retrain')
    again, logs = _seg(tiny_set, out / 'retrain')
    frozen, _ = _seg(tiny_set, out / 'frozen', protocol='frozen', train_on='vi')
    return dict(out=out, retrain=retrain, again=again, logs=logs, frozen=frozen)


def test_seg_metrics_are_consistent_per_class(seg_runs):
    for result in seg_runs['retrain'].values():
        m = result['metrics']
        per_class = [m['IoU/background'], m['IoU/person'], m['IoU/car']]
        assert all(0 <= v <= 100 for v in per_class)
        assert m['mIoU'] == pytest.approx(sum(per_class) / 3, abs=0.011)
        assert list(result['test_images']) == ['s1', 's4']  # every 3rd stem of s0..s5


def test_finished_inputs_are_skipped(seg_runs):
    assert [line for line in seg_runs['logs'] if 'finished earlier' in line] == [
        'ir: finished earlier, kept',
        'vi: finished earlier, kept',
    ]
    assert seg_runs['again'] == seg_runs['retrain']


def test_frozen_model_is_the_retrained_one_on_its_own_input(seg_runs):
    # same seed, schedule and data: the frozen model trained on vi is the retrain run's vi model
    assert seg_runs['frozen']['vi']['metrics'] == seg_runs['retrain']['vi']['metrics']
    assert (seg_runs['out'] / 'frozen/_model-vi/result.json').is_file()


def test_cached_result_with_other_settings_is_refused(seg_runs, tiny_set):
    with pytest.raises(ValueError, match='other settings'):
        _seg(tiny_set, seg_runs['out'] / 'retrain', seed=1)


def test_cli_det_writes_results_and_refuses_to_overwrite(tiny_set, tmp_path, run_tool):
    out = tmp_path / 'det'
    args = ['-m', 'fusionbox.cli.main', 'downstream', '--task', 'det', '--labels',
            tiny_set['det'], '--input', f'ir={tiny_set["ir"]}', '--input', f'vi={tiny_set["vi"]}',
            '--iters', '2', '-o', out, '--no-progress']  # fmt: skip
    run_tool(*args)
    with open(out / 'results.csv') as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ['input', 'metric', 'value']
    got = {(r['input'], r['metric']) for r in rows}
    assert {(i, m) for i in ('ir', 'vi') for m in ('mAP', 'mAP50')} <= got
    assert ('ir', 'mAP50/person') in got and ('vi', 'mAP50/car') in got
    assert all(0.0 <= float(r['value']) <= 100.0 for r in rows)
    table = (out / 'results.md').read_text().splitlines()
    assert [line.split(' | ')[0] for line in table if line.startswith('| ')][1:] == ['| ir', '| vi']
    assert (out / 'results.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    before = (out / 'results.csv').read_bytes()
    refused = run_tool(*args, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f'fusionbox downstream: error: {out / "results.csv"} exists; pass --overwrite to redo '
        'the run'
    ]
    assert (out / 'results.csv').read_bytes() == before


def test_cli_bad_input_is_one_line(tmp_path, tiny_set, capsys):
    from fusionbox.cli.main import main

    argv = ['downstream', '--task', 'seg', '--labels', str(tiny_set['seg']), '-o', str(tmp_path)]
    assert main([*argv, '--input', 'ir']) == 1
    assert capsys.readouterr().err == (
        "fusionbox downstream: error: --input expects NAME=DIR, got 'ir'\n"
    )
    with pytest.raises(SystemExit) as exit_:
        main(argv[:3] + ['-o', str(tmp_path)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        'fusionbox downstream: error: the following arguments are required: --labels, --input\n'
    )


def test_seed_summary_mean_and_sample_std():
    from fusionbox.downstream.report import summarise_seeds, summary_markdown

    runs = {s: {'fused': {'metrics': {'mIoU': v}}} for s, v in ((0, 50.0), (1, 54.0), (2, 58.0))}
    (row,) = summarise_seeds('seg', runs)
    assert (row['mean'], row['std'], row['seeds']) == (54.0, 4.0, 3)
    assert summary_markdown([row], ['mIoU']).splitlines()[-1] == '| fused | 54.0 ± 4.0 |'
    (one,) = summarise_seeds('seg', {0: runs[0]})
    assert summary_markdown([one], ['mIoU']).splitlines()[-1] == '| fused | 50.0 |'
