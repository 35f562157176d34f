"""FusedImageSaverHook: one file per test sample, equal stems of different sets kept apart."""

from types import SimpleNamespace

import torch

from fusionbox.engine.hooks import FusedImageSaverHook
from fusionbox.structures import FusionSample


def _sample(task, stem, value, dataset=None):
    meta = dict(task=task, stem=stem, source_names=('ct', 'mri'))
    if dataset is not None:
        meta['dataset'] = dataset
    sample = FusionSample(metainfo=meta)
    sample.pred = torch.full((1, 4, 4), value)
    sample.sources = torch.zeros(2, 1, 4, 4)
    return sample


def test_equal_stems_of_two_sets_are_two_files(tmp_path):
    hook = FusedImageSaverHook(out_dir=str(tmp_path), figure_examples=0)
    runner = SimpleNamespace(work_dir=str(tmp_path))
    hook.before_test(runner)
    outputs = [
        _sample('mif', '15', 0.2, 'Harvard-MRI-CT'),
        _sample('mif', '15', 0.6, 'Harvard-MRI-PET'),
        _sample('ivf', 'a', 1.0),  # no dataset name (the embedded benchmark): <task>/<stem>
    ]
    hook.after_test_iter(runner, 0, outputs=outputs)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob('*.png'))
    assert files == ['ivf/a.png', 'mif/Harvard-MRI-CT/15.png', 'mif/Harvard-MRI-PET/15.png']
    import cv2

    ct = cv2.imread(str(tmp_path / 'mif/Harvard-MRI-CT/15.png'), cv2.IMREAD_UNCHANGED)
    pet = cv2.imread(str(tmp_path / 'mif/Harvard-MRI-PET/15.png'), cv2.IMREAD_UNCHANGED)
    assert int(ct[0, 0]) == 51 and int(pet[0, 0]) == 153
