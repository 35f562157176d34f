"""One small real-data run per task on ../shared/data (skipped when it is absent)."""

import pytest

from fusionbox.utils.paths import shared_data_root

CASES = {
    'ivf': ('TNO', 'ivf/TNO'),
    'mif': ('Harvard-MRI-CT', 'mif/Harvard_MRI_CT'),
    'mef': ('U2Fusion-MEF', 'mef/U2Fusion_dataset1'),
    'mff': ('U2Fusion-MFF', 'mff/U2Fusion_MFF'),
}


@pytest.mark.shared_data
@pytest.mark.parametrize('task', list(CASES))
def test_one_real_sample_per_task(task):
    layout, sub = CASES[task]
    root = shared_data_root() / sub
    if not root.is_dir():
        pytest.skip(f'shared real data not found at {root} (set FUSIONBOX_SHARED_DATA)')
    import cv2

    from fusionbox.pseudo_labels import PseudoLabelPipeline, list_samples

    sample = min(
        list_samples(layout=layout, data_root=str(root)),
        key=lambda s: cv2.imread(s['source_paths'][0], cv2.IMREAD_UNCHANGED).size,
    )
    result = PseudoLabelPipeline(task)(sample)
    rec = result['provenance']
    assert rec['pick'] in rec['candidates']
    scores = {n: c['score'] for n, c in rec['candidates'].items()}
    assert scores[rec['pick']] == max(scores.values())
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert rec['refinement']['score_refined'] >= rec['refinement']['score_selected']
    assert result['label'].shape[:2] == result['selected'].shape[:2]
