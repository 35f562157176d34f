"""Semantic FPN on a slim ResNet-18-V1c (16 base channels), trained from scratch.

Downstream semantic segmentation on fused / infrared / visible images (``fusionbox downstream
--task seg``), sized for a CPU: 128 px images, 300 iterations of batch 4. The tool fills the data
folders, the classes and the seed; to scale up, raise ``img_scale``, ``train_cfg.max_iters`` and
the batch.
Paper: Kirillov et al., Panoptic Feature Pyramid Networks, CVPR 2019.
Ref: mmsegmentation configs/sem_fpn (mmseg 1.2.2).
"""

_base_ = ['./_base_/schedule_iter-300_cpu.py', './_base_/slim-resnet18_fused-rgb.py']

default_scope = 'mmseg'
custom_imports = dict(imports=['fusionbox.downstream'], allow_failed_imports=False)

img_scale = (128, 128)  # (w, h), aspect kept
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        _base_.fused_rgb_norm, type='SegDataPreProcessor', pad_val=0, seg_pad_val=255,
        size_divisor=32,
    ),
    backbone=dict(
        _base_.slim_resnet18, type='ResNetV1c', stem_channels=16, out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 2), dilations=(1, 1, 1, 1),
    ),
    neck=dict(type='FPN', in_channels=[16, 32, 64, 128], out_channels=32, num_outs=4),
    decode_head=dict(
        type='FPNHead',
        in_channels=[32, 32, 32, 32],
        in_index=[0, 1, 2, 3],
        feature_strides=[4, 8, 16, 32],
        channels=32,
        dropout_ratio=0.1,
        num_classes=2,  # set from the labels by the tool
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'),
)

train_pipeline = [
    dict(type='LoadFusionImage'),
    dict(type='LoadClassMap'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadFusionImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadClassMap'),  # after Resize: the metric compares at the original size
    dict(type='PackSegInputs'),
]
# img_dir, labels and stems are filled by `fusionbox downstream`
dataset = dict(type='FolderSegDataset', img_dir=None, labels=None, stems=None)
train_dataloader = dict(dataset=dict(dataset, pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(dataset, pipeline=test_pipeline, test_mode=True))
test_evaluator = dict(type='ClasswiseIoUMetric', iou_metrics=['mIoU'])
optim_wrapper = dict(optimizer=dict(weight_decay=0.01))
