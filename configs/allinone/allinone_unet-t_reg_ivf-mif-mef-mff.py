# The tiny U-Net for CPU runs: what `make demo` trains in a few minutes.
_base_ = ['allinone_unet-s_reg_ivf-mif-mef-mff.py']

model = dict(backbone=dict(arch='unet-t'))
max_iters = 1200
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min=1e-5),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
