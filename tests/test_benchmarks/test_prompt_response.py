"""The prompt-response benchmark's --quick smoke run: files written, same samples per condition.

No claim about which prompt wins: that is measured by the full run, not asserted here.
"""

import json

BENCHMARK = 'prompt_response'


def test_quick_run_writes_results(quick_run):
    module, out = quick_run
    for name in ('results.md', 'results.json', 'examples.png'):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    result = json.loads((out / 'results.json').read_text())
    samples = result['samples']
    assert samples and result['meta']['quick'] is True
    assert {s['task'] for s in samples} == {'ivf', 'mif', 'mef', 'mff'}
    # the three conditions were scored on the same samples, each with its own prompt
    for s in samples:
        assert set(s['scores']) == set(module.CONDITIONS)
        for cond in module.CONDITIONS:
            assert set(s['scores'][cond]) == set(module.METRICS)
        assert s['prompts']['right'] and s['prompts']['wrong'] and s['prompts']['empty'] == ''
        assert s['prompts']['right'] != s['prompts']['wrong']
        assert s['wrong_degradation'] != s['degradation']
    overall = result['tables']['overall']['all']
    assert overall['n'] == len(samples)
    text = (out / 'results.md').read_text()
    assert 'right > wrong' in text and 'Per task' in text


def test_refuses_existing_out(quick_run):
    module, out = quick_run
    assert module.main(['--quick', '--out', str(out)]) == 1
