"""The 128 px RetinaNet config at MSRS resolution: 640x480 images resized to 320x240 (objects
of 8-40 px), same model and schedule."""

_base_ = ['./retinanet_r18-c16-fpn_iter-300_ivf.py']

img_scale = (320, 240)
train_pipeline = [dict(t, scale=img_scale) if t['type'] == 'Resize' else t
                  for t in _base_.train_pipeline]
test_pipeline = [dict(t, scale=img_scale) if t['type'] == 'Resize' else t
                 for t in _base_.test_pipeline]
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(batch_size=2, dataset=dict(pipeline=test_pipeline))
