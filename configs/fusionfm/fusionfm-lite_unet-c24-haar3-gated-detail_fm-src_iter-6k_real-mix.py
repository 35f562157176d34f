# The two-band FusionFM-lite recipe trained twice as long (6000 iterations, the same warm-up and
# cosine decay): at 3000 the training loss was still falling (0.165 over iterations 1800-2000,
# 0.150 over 2600-2800).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-3k_real-mix.py']
max_iters = 6000
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, eta_min=1e-5),
]
train_cfg = dict(max_iters=max_iters, val_interval=2000)
