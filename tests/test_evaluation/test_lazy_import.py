"""The metric functions and ``fusionbox metrics`` do not import torch; ``FusionMetric`` (an
MMEngine ``BaseMetric``, which does) still builds from a config in a fresh process."""

import subprocess
import sys

import cv2
import numpy as np


def _python(code: str) -> list:
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_metric_functions_and_the_metrics_command_do_not_import_torch(tmp_path):
    rng = np.random.default_rng(0)
    for d in ('ir', 'vi', 'fused'):
        (tmp_path / d).mkdir()
        cv2.imwrite(str(tmp_path / d / 'a.png'), rng.integers(0, 256, (32, 32), dtype=np.uint8))
    argv = ['metrics', '--source', f'ir={tmp_path / "ir"}', '--source', f'vi={tmp_path / "vi"}']
    argv += ['--fused', str(tmp_path / 'fused'), '--metrics', 'EN,Qabf', '--workers', '1']
    argv += ['-o', str(tmp_path / 't.csv')]
    # the command line entry point (it registers only the command it runs)
    code = (
        'import sys\n'
        'from fusionbox.cli.main import main\n'
        f'rc = main({argv!r})\n'
        'print(rc, "torch" in sys.modules, "mmengine.evaluator" in sys.modules)\n'
    )
    assert _python(code)[-3:] == ['0', 'False', 'False']  # after the summary lines
    rows = (tmp_path / 't.csv').read_text().splitlines()
    assert rows[0] == 'image,metric,value,error'
    assert [r[:7] for r in rows[1:]] == ['a,EN,7.', 'a,Qabf,']
    imports = (
        'import sys\n'
        'import fusionbox.evaluation as ev\n'
        'from fusionbox.evaluation.functional import get_metric, list_metrics\n'
        'import numpy as np\n'
        'v = get_metric("EN")(np.arange(64.0).reshape(8, 8))\n'
        'print(len(list_metrics()) > 30, round(v, 6), "torch" in sys.modules)\n'
    )
    assert _python(imports) == ['True', '6.0', 'False']


def test_fusion_metric_is_registered_and_built_lazily():
    code = (
        'import sys\n'
        'from mmengine.evaluator import Evaluator\n'
        'from mmengine.registry import init_default_scope\n'
        'init_default_scope("fusionbox")\n'
        'ev = Evaluator([dict(type="FusionMetric", metric_names=["EN"], prefix="m")])\n'
        'from fusionbox.registry import METRICS\n'
        'import fusionbox.evaluation as e\n'
        'from fusionbox.evaluation.fusion_metric import FusionMetric\n'
        'print(type(ev.metrics[0]) is FusionMetric, METRICS.get("FusionMetric") is FusionMetric,\n'
        '      e.FusionMetric is FusionMetric, e.DEFAULT_METRICS[0], hasattr(e, "nope"))\n'
    )
    assert _python(code) == ['True', 'True', 'True', 'EN', 'False']
