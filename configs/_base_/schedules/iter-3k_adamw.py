# 3000 iterations: AdamW at 2e-3 after 100 warm-up iterations, cosine to 1e-5; validation (on
# held-out data) every 1000.
_base_ = ['iter-2k_adamw.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=3000, eta_min=1e-5),
]
train_cfg = dict(max_iters=3000, val_interval=1000)
