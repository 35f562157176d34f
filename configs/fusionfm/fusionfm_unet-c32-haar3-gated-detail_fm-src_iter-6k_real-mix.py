# The larger FusionFM variant (c32) with the two-band head, on the lite default's 6000-iteration
# schedule (the lite model ranked better after 6000 than after 3000 iterations on the held-out
# stems of three tasks of four).
_base_ = ['fusionfm_unet-c32-haar3-gated-detail_fm-src_iter-3k_real-mix.py']
max_iters = 6000
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, eta_min=1e-5),
]
train_cfg = dict(max_iters=max_iters, val_interval=2000)
