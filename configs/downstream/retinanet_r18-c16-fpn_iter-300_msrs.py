"""The 128 px RetinaNet config at MSRS resolution: 640x480 images resized to 320x240 (objects
of 8-40 px), same model and schedule."""

_base_ = ['./retinanet_r18-c16-fpn_iter-300_ivf.py']

img_scale = (320, 240)
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
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(batch_size=2, dataset=dict(pipeline=test_pipeline))
