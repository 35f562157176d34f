"""The bridges build inside mmdet / mmseg: datasets read the right boxes and classes, the
detector and the segmenter train one step and predict on the CPU, every config builds."""

import copy

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

import fusionbox.downstream  # noqa: F401  (registers the bridges)

from .conftest import CLASSES, repo_root

CONFIGS = sorted((repo_root() / 'configs/downstream').glob('*.py'))
DET_CONFIG = repo_root() / 'configs/downstream/retinanet_r18-c16-fpn_iter-300_ivf.py'
SEG_CONFIG = repo_root() / 'configs/downstream/fpn_r18-c16_iter-300_ivf.py'


def _registries(scope):
    if scope == 'mmdet':
        from mmdet.registry import DATASETS, MODELS
    else:
        from mmseg.registry import DATASETS, MODELS
    return DATASETS, MODELS


def _build(config, tiny_set, split='train', stems=None):
    """``(model, dataset, classes)`` of ``config`` on the tiny set, built in its scope."""
    cfg = Config.fromfile(str(config))
    task = 'det' if cfg.default_scope == 'mmdet' else 'seg'
    classes = CLASSES if task == 'det' else ('background', *CLASSES)
    datasets, models = _registries(cfg.default_scope)
    dataset_cfg = copy.deepcopy(cfg[f'{split}_dataloader'].dataset)
    dataset_cfg.update(img_dir=str(tiny_set['vi']), labels=str(tiny_set[task]), stems=stems)
    head = cfg.model.bbox_head if task == 'det' else cfg.model.decode_head
    head.num_classes = len(classes)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        torch.manual_seed(0)
        model = models.build(cfg.model)
        model.init_weights()  # as the Runner does (focal-loss prior, no pretrained weights)
        return model, datasets.build(dataset_cfg), classes


def _batch(dataset, indices):
    items = [dataset[i] for i in indices]
    return {
        'inputs': [b['inputs'] for b in items],
        'data_samples': [b['data_samples'] for b in items],
    }


def _train_step(model, data, scope):
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    before = [p.detach().clone() for p in model.parameters()]
    with DefaultScope.overwrite_default_scope(scope):
        losses = model.train_step(data, optim_wrapper=optim)
    changed = sum(not torch.equal(a, p) for a, p in zip(before, model.parameters()))
    return losses, changed


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: p.name)
def test_every_config_builds_on_the_bridges(config, tiny_set):
    model, dataset, classes = _build(config, tiny_set)
    assert len(dataset) == 6 and dataset.metainfo['classes'] == classes
    assert sum(p.numel() for p in model.parameters()) < 2_000_000  # small: CPU sized


def test_det_dataset_reads_yolo_boxes_in_pixels(tiny_set):
    _, dataset, _ = _build(DET_CONFIG, tiny_set, split='test', stems=['s3', 's0'])
    sample = dataset[0]['data_samples']
    labels, boxes = tiny_set['boxes']['s3']
    assert sample.img_id == 0 and sample.img_path.endswith('s3.png')
    assert sample.scale_factor == (2.0, 2.0)  # the image is resized from 64 to 128 px...
    gt = sample.gt_instances  # ...the boxes, loaded after Resize, stay in original pixels
    np.testing.assert_allclose(gt.bboxes.numpy(), boxes, atol=1e-4)
    np.testing.assert_array_equal(gt.labels.numpy(), labels)
    np.testing.assert_allclose([i['bbox'] for i in sample.instances], boxes, atol=1e-9)


def test_seg_dataset_reads_class_maps_with_their_classes(tiny_set):
    _, dataset, classes = _build(SEG_CONFIG, tiny_set, split='test', stems=['s1'])
    assert classes == ('background', 'person', 'car')
    gt = dataset[0]['data_samples'].gt_sem_seg.data[0].numpy()  # original size (after Resize)
    np.testing.assert_array_equal(gt, tiny_set['maps']['s1'])
    assert set(np.unique(gt)) == {0, 1, 2}  # s1 holds a person and a car


def test_detector_trains_one_step_and_predicts_with_mmcv_nms(tiny_set, monkeypatch):
    import importlib

    ext = importlib.import_module('mmcv.ops.nms').ext_module  # mmcv's compiled _ext

    model, dataset, _ = _build(DET_CONFIG, tiny_set)
    losses, changed = _train_step(model, _batch(dataset, [0, 1]), 'mmdet')
    assert {'loss_cls', 'loss_bbox'} <= set(losses) and changed > 0
    assert all(torch.isfinite(v).all() for v in losses.values())
    calls = []
    original = ext.nms
    monkeypatch.setattr(ext, 'nms', lambda *a, **k: calls.append(1) or original(*a, **k))
    model.bbox_head.test_cfg.score_thr = 0.0  # keep candidates so that NMS runs
    model.eval()
    _, test_set, _ = _build(DET_CONFIG, tiny_set, split='test')
    with DefaultScope.overwrite_default_scope('mmdet'), torch.no_grad():
        (pred,) = model.test_step(_batch(test_set, [0]))
    assert calls  # the compiled NMS of mmcv.ops ran
    boxes = pred.pred_instances.bboxes
    assert boxes.shape[1] == 4 and 0 < len(boxes) <= 100
    assert (boxes[:, 2:] <= 64 + 1e-3).all()  # rescaled to the original 64 px image


def test_segmenter_trains_one_step_and_predicts(tiny_set):
    model, dataset, classes = _build(SEG_CONFIG, tiny_set)
    losses, changed = _train_step(model, _batch(dataset, [0, 1]), 'mmseg')
    assert torch.isfinite(losses['decode.loss_ce']) and changed > 0
    model.eval()
    _, test_set, _ = _build(SEG_CONFIG, tiny_set, split='test')
    with DefaultScope.overwrite_default_scope('mmseg'), torch.no_grad():
        (pred,) = model.test_step(_batch(test_set, [2]))
    seg = pred.pred_sem_seg.data
    assert seg.shape == (1, 64, 64) and int(seg.max()) < len(classes)


def test_building_leaves_the_default_scope_alone(tiny_set):
    before = DefaultScope.get_current_instance()
    _build(DET_CONFIG, tiny_set)
    after = DefaultScope.get_current_instance()
    assert (before and before.scope_name) == (after and after.scope_name)
