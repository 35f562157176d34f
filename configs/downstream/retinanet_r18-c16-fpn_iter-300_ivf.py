"""RetinaNet on a slim ResNet-18 (16 base channels) with a 3-level FPN, trained from scratch.

Downstream detection on fused / infrared / visible images (``fusionbox downstream --task det``),
sized for a CPU: 128 px images, 300 iterations of batch 4. The tool fills the data folders, the
classes and the seed; to scale up, raise ``img_scale``, ``train_cfg.max_iters`` and the batch.
Paper: Lin et al., Focal Loss for Dense Object Detection, ICCV 2017.
Ref: mmdet configs/retinanet (mmdet 3.3.0).
"""

_base_ = ['./_base_/schedule_iter-300_cpu.py', './_base_/slim-resnet18_fused-rgb.py']

default_scope = 'mmdet'
custom_imports = dict(imports=['fusionbox.downstream'], allow_failed_imports=False)

img_scale = (128, 128)  # (w, h), aspect kept
model = dict(
    type='RetinaNet',
    data_preprocessor=dict(_base_.fused_rgb_norm, type='DetDataPreprocessor', pad_size_divisor=32),
    backbone=dict(
        _base_.slim_resnet18, type='ResNet', out_indices=(1, 2, 3), frozen_stages=-1
    ),  # strides 8, 16, 32
    neck=dict(type='FPN', in_channels=[32, 64, 128], out_channels=64, start_level=0, num_outs=3),
    bbox_head=dict(
        type='RetinaHead',
        num_classes=3,  # set from the labels by the tool
        in_channels=64,
        stacked_convs=2,
        feat_channels=64,
        anchor_generator=dict(
            type='AnchorGenerator',
            octave_base_scale=2,  # 16-25 px anchors at stride 8: small objects
            scales_per_octave=3,
            ratios=[0.5, 1.0, 2.0],
            strides=[8, 16, 32],
        ),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4, target_stds=[1.0, 1.0, 1.0, 1.0]
        ),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0),
    ),
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner',
            pos_iou_thr=0.5,
            neg_iou_thr=0.4,
            min_pos_iou=0,
            ignore_iof_thr=-1,
        ),  # fmt: skip
        sampler=dict(type='PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False,
    ),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.02,
        nms=dict(type='nms', iou_threshold=0.5),  # mmcv.ops compiled NMS
        max_per_img=100,
    ),
)

train_pipeline = [
    dict(type='LoadFusionImage'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadFusionImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'instances'),
    ),
]
# img_dir, labels and stems are filled by `fusionbox downstream`
dataset = dict(type='FolderDetDataset', img_dir=None, labels=None, stems=None)
train_dataloader = dict(dataset=dict(dataset, pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(dataset, pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(
    type='ClasswiseCocoMetric', metric='bbox', outfile_prefix='work_dirs/downstream/det/coco'
)
