"""benchmarks/export_speed.py on a tiny size, one repeat: the numbers are written, not judged."""

import json

from .conftest import load_benchmark


def test_export_speed_writes_min_and_median(tiny_checkpoint, tmp_path):
    module = load_benchmark('export_speed')
    out = tmp_path / 'speed.json'
    checkpoint = str(tiny_checkpoint['checkpoint'])
    argv = ['--config', tiny_checkpoint['config'], '--checkpoint', checkpoint, '--size', '40x56',
            '--repeats', '1', '--threads', '1', '--out', str(out)]  # fmt: skip
    assert module.main(argv) == 0
    result = json.loads(out.read_text())
    assert result['size'] == '40x56' and result['nfe'] == 1 and result['max_abs_diff'] < 1e-4
    for name in ('onnxruntime', 'pytorch'):
        assert 0 < result[f'{name}_min_ms'] <= result[f'{name}_median_ms']
