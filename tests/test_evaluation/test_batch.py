"""Folder runs in worker processes give the serial tables; the sources' side of each metric is
computed once per sample and gives the same values as computing it per candidate."""

import argparse
import os

import cv2
import numpy as np
import pytest

from fusionbox.cli import metrics as metrics_cli
from fusionbox.evaluation.batch import SampleJob, evaluate_samples
from fusionbox.evaluation.functional import (
    evaluate_candidates,
    evaluate_image,
    source_cache,
)
from fusionbox.evaluation.functional.cache import cached

CDDFUSE = ['EN', 'SD', 'SF', 'AG', 'MI', 'MSE', 'CC', 'PSNR', 'SCD', 'VIF', 'Qabf', 'SSIM']


def _image(seed, h=48, w=56, colour=False):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 120 + 60 * np.sin(x / 5.0 + seed) * np.cos(y / 4.0 - seed) + rng.normal(0, 8, (h, w))
    img = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return np.stack([img, np.roll(img, 2, 1), 255 - img], -1) if colour else img


@pytest.fixture
def folder(tmp_path):
    for d in ('ir', 'vi', 'fused', 'other'):
        (tmp_path / d).mkdir()
    for k in range(5):
        ir, vi = _image(3 * k), _image(3 * k + 1, colour=True)
        cv2.imwrite(str(tmp_path / 'ir' / f'{k:02d}.png'), ir)
        cv2.imwrite(str(tmp_path / 'vi' / f'{k:02d}.png'), vi)
        grey_vi = cv2.cvtColor(vi, cv2.COLOR_BGR2GRAY)
        cv2.imwrite(str(tmp_path / 'fused' / f'{k:02d}.png'), (ir // 2 + grey_vi // 2))
        cv2.imwrite(str(tmp_path / 'other' / f'{k:02d}.png'), np.maximum(ir, grey_vi))
    return tmp_path


def _jobs(folder, methods=('fused',)):
    return [
        SampleJob(
            f'{k:02d}',
            (folder / 'ir' / f'{k:02d}.png', folder / 'vi' / f'{k:02d}.png'),
            tuple(folder / m / f'{k:02d}.png' for m in methods),
            ('ir', 'vi'),
        )
        for k in range(5)
    ]


@pytest.mark.parametrize('protocol', ['cddfuse', 'vifb'])
def test_worker_processes_give_the_serial_results(folder, protocol):
    names = CDDFUSE if protocol == 'cddfuse' else ['EN', 'MI', 'Qabf', 'SSIM', 'Qcb', 'PSNR']
    jobs = _jobs(folder, ('fused', 'other'))
    serial = evaluate_samples(jobs, names, protocol, workers=1)
    parallel = evaluate_samples(jobs, names, protocol, workers=2)
    assert parallel == serial  # exact equality, in the jobs' order
    assert len(serial) == 5 and all(len(r) == 2 for r in serial)
    # the two candidates of a sample differ (the max is brighter than the mean)
    assert serial[0][0][0]['EN'] != serial[0][1][0]['EN']


def _run_metrics(argv):
    parser = argparse.ArgumentParser()
    metrics_cli.register(parser.add_subparsers())
    args = parser.parse_args(['metrics'] + argv)
    return args.func(args)


def test_metrics_command_tables_do_not_depend_on_workers(folder, capsys):
    base = ['--protocol', 'cddfuse', '--source', f'ir={folder / "ir"}']
    base += ['--source', f'vi={folder / "vi"}', '--fused', str(folder / 'fused')]
    tables = []
    for workers in ('1', '2'):
        out = folder / f'table{workers}.csv'
        assert _run_metrics(base + ['--workers', workers, '-o', str(out)]) == 0
        tables.append(out.read_text())
    assert tables[0] == tables[1]
    lines = tables[0].splitlines()
    assert lines[0] == 'image,metric,value,error' and len(lines) == 1 + 5 * 12
    assert [ln.split(',')[0] for ln in lines[1::12]] == ['00', '01', '02', '03', '04']


def test_an_unreadable_image_in_a_worker_is_named(folder, capsys):
    (folder / 'fused' / '03.png').write_bytes(b'not an image')
    argv = ['--protocol', 'cddfuse', '--source', f'ir={folder / "ir"}', '--source']
    argv += [f'vi={folder / "vi"}', '--fused', str(folder / 'fused'), '--workers', '2']
    assert _run_metrics(argv + ['-o', str(folder / 't.csv')]) == 1  # reported, skipped
    assert '03.png' in capsys.readouterr().err
    lines = (folder / 't.csv').read_text().splitlines()
    assert len(lines) == 1 + 4 * 12  # the other four samples are scored
    assert [ln.split(',')[0] for ln in lines[1::12]] == ['00', '01', '02', '04']


@pytest.mark.parametrize('protocol', ['cddfuse', 'standard', 'tang', 'vifb'])
def test_candidates_sharing_sources_equal_separate_evaluations(protocol):
    dtype = np.float32 if protocol == 'cddfuse' else np.uint8
    a, b = (_image(s).astype(dtype) for s in (1, 2))
    cands = [((a.astype(float) + b) / 2).round().astype(dtype), np.maximum(a, b), a]
    names = CDDFUSE if protocol == 'cddfuse' else ['EN', 'MI', 'Qabf', 'SSIM', 'SD']
    names = [n for n in names if protocol != 'tang' or n != 'SSIM']
    together = evaluate_candidates(names, cands, [a, b], protocol=protocol)
    separate = [evaluate_image(names, c, [a, b], protocol=protocol) for c in cands]
    assert together == separate
    assert together[0][0] != together[1][0]


def test_source_cache_reuses_by_identity_only_inside_a_scope():
    calls = []
    x, y = np.zeros(3), np.zeros(3)

    def compute():
        calls.append(1)
        return len(calls)

    assert cached('t', (x,), compute) == 1 and cached('t', (x,), compute) == 2  # no scope
    with source_cache():
        assert cached('t', (x,), compute) == 3
        assert cached('t', (x,), compute) == 3  # same array object: reused
        assert cached('t', (y,), compute) == 4  # equal values, another object: computed
        assert cached('u', (x,), compute) == 5  # another tag
        with source_cache():  # nested scopes share the store
            assert cached('t', (x,), compute) == 3
    assert cached('t', (x,), compute) == 6  # the scope is gone


def _vifp_direct(ref, dist, sigma_nsq=2.0, eps=1e-10):
    """LIVE's ``vifp_mscale`` (CDDFuse's "VIFF") transcribed branch by branch with 2-D 'valid'
    windows (reference only)."""

    def valid(x, w):
        if x.shape[0] < w.shape[0] or x.shape[1] < w.shape[1]:
            return np.empty((0, 0))
        return np.einsum('ijkl,kl->ij', np.lib.stride_tricks.sliding_window_view(x, w.shape), w)

    num = den = 0.0
    for scale in range(1, 5):
        n = 2 ** (5 - scale) + 1
        t = np.arange(n) - (n - 1) / 2
        w = np.exp(-(t[:, None] ** 2 + t[None] ** 2) / (2 * (n / 5.0) ** 2))
        w /= w.sum()
        if scale > 1:
            ref, dist = valid(ref, w)[::2, ::2], valid(dist, w)[::2, ::2]
        mu1, mu2 = valid(ref, w), valid(dist, w)
        s1 = valid(ref * ref, w) - mu1 * mu1
        s2 = valid(dist * dist, w) - mu2 * mu2
        s12 = valid(ref * dist, w) - mu1 * mu2
        s1[s1 < 0], s2[s2 < 0] = 0, 0
        g = s12 / (s1 + eps)
        sv = s2 - g * s12
        low = s1 < eps
        g[low], sv[low], s1[low] = 0, s2[low], 0
        low = s2 < eps
        g[low], sv[low] = 0, 0
        neg = g < 0
        sv[neg], g[neg] = s2[neg], 0
        sv[sv <= eps] = eps
        num += np.log10(1 + g * g * s1 / (sv + sigma_nsq)).sum()
        den += np.log10(1 + s1 / sigma_nsq).sum()
    return num / den


@pytest.mark.parametrize('shape', [(26, 30), (120, 90)])
def test_vif_equals_the_branch_by_branch_transcription(shape):
    from fusionbox.evaluation.functional import vif

    a, b = (_image(s, *shape).astype(np.float64) for s in (4, 5))
    a[: shape[0] // 2, : shape[1] // 3] = 40.0  # a flat patch: the variance branches
    f = np.round((a + b) / 2)
    f[shape[0] // 2 :] = 255 - f[shape[0] // 2 :]  # negative gains
    ours = vif.vifp_multi([a, b], f)
    np.testing.assert_allclose(ours, [_vifp_direct(a, f), _vifp_direct(b, f)], rtol=1e-12)
    assert np.all(np.isfinite(ours)) and np.all(ours > 0)


def test_selector_scores_are_the_same_with_the_sources_cached():
    from fusionbox.pseudo_labels.selectors.task_aware import TaskAwareSelector

    selector = TaskAwareSelector(metrics={'ivf': {'VIF': 1.0, 'Qabf': 1.0, 'SD': 0.5}})
    lumas = np.stack([_image(7), _image(8)]).astype(np.float64) / 255  # (N, H, W)
    cands = {'mean': lumas.mean(0), 'max': lumas.max(0), 'ir': lumas[0]}
    plain = selector.select(cands, lumas, 'ivf')
    with source_cache() as store:
        cached_run = selector.select(cands, lumas, 'ivf')
        assert any(key[0] == ('vif-ref', False) for key in store)  # the sources' side was kept
    assert cached_run.scores == plain.scores and cached_run.metrics == plain.metrics
    assert cached_run.pick == plain.pick


def test_workers_fork_only_a_single_threaded_process():
    import subprocess
    import sys

    code = (
        'import threading, time\n'
        'from fusionbox.evaluation.batch import worker_context\n'
        'print(worker_context().get_start_method())\n'
        'threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n'
        'print(worker_context().get_start_method())\n'
    )
    # native pools off (OpenBLAS and OpenMP start their threads at import unless told one)
    single = dict(os.environ, OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1')
    out = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=True, env=single
    )
    assert out.stdout.split() == ['fork', 'forkserver']


def test_the_command_forks_workers_and_writes_the_serial_table(folder):
    import subprocess
    import sys

    tables = []
    for workers in ('1', '2'):
        out = folder / f'cli{workers}.csv'
        cmd = [sys.executable, '-m', 'fusionbox.cli.main', 'metrics', '--protocol', 'vifb']
        cmd += ['--source', f'vi={folder / "vi"}', '--source', f'ir={folder / "ir"}']
        cmd += ['--fused', str(folder / 'other'), '--workers', workers, '-o', str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
        tables.append(out.read_text())
    assert tables[0] == tables[1] and len(tables[0].splitlines()) == 1 + 5 * 13
