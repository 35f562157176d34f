"""The accuracy matrix: BWT, forgetting and the files written."""

import json

import pytest

from fusionbox.continual import summarize_matrix, write_matrix

TASKS = ['ivf', 'mif', 'mef']
STAGES = [['ivf'], ['mif'], ['mef']]
R = [[0.6, None, None], [0.5, 0.7, None], [0.4, 0.65, 0.9]]


def test_bwt_forgetting_average():
    s = summarize_matrix(R, STAGES, TASKS)
    assert s['average'] == pytest.approx((0.4 + 0.65 + 0.9) / 3)
    assert s['bwt'] == pytest.approx(((0.4 - 0.6) + (0.65 - 0.7)) / 2)
    assert s['forgetting'] == pytest.approx(((0.6 - 0.4) + (0.7 - 0.65)) / 2)
    assert s['plasticity'] == pytest.approx((0.6 + 0.7 + 0.9) / 3)
    assert s['last_task'] == pytest.approx(0.9)


def test_forgetting_uses_the_best_earlier_score():
    r = [[0.5, None], [0.7, 0.8], [0.6, 0.9]]  # ivf improved at stage 1, then dropped
    s = summarize_matrix(r, [['ivf'], ['mif'], ['mif']], ['ivf', 'mif'])
    assert s['bwt'] == pytest.approx(((0.6 - 0.5) + (0.9 - 0.8)) / 2)
    assert s['forgetting'] == pytest.approx(((0.7 - 0.6) + (0.8 - 0.9)) / 2)


def test_joint_training_has_no_backward_transfer():
    s = summarize_matrix([[0.5, 0.6]], [['ivf', 'mif']], ['ivf', 'mif'])
    assert s['bwt'] is None and s['forgetting'] is None and s['average'] == pytest.approx(0.55)


def test_write_matrix_files(tmp_path):
    paths = write_matrix(
        tmp_path, R, ['ivf', 'mif', 'mef'], STAGES, TASKS, ['Qabf', 'Qabf', 'SSIM_ref']
    )
    assert {p.name for p in tmp_path.iterdir()} == {
        'continual_matrix.json',
        'continual_matrix.csv',
        'continual_matrix.md',
        'continual_matrix.png',
    }
    data = json.loads(paths['json'].read_text())
    assert data['matrix'][0] == [0.6, None, None] and data['summary']['bwt'] < 0
    assert paths['csv'].read_text().splitlines()[0] == (
        'after_stage,ivf (Qabf),mif (Qabf),mef (SSIM_ref)'
    )
    assert '| bwt |' in paths['md'].read_text()
    assert paths['png'].read_bytes()[:4] == b'\x89PNG'


def test_rows_without_scores_are_skipped():
    r = [[None, None], [None, 0.8], [0.5, 0.7]]  # stages resumed without their scores
    s = summarize_matrix(r, [['ivf'], ['mif'], ['ivf']], ['ivf', 'mif'])
    assert s['bwt'] == pytest.approx(0.7 - 0.8) and s['forgetting'] == pytest.approx(0.1)
