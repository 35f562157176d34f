# Train the latent autoencoder of configs/mmaif/mmaif_moe-dit-s-aekl-f4_reg_ivf-mif-mef-mff.py on
# the sources of the embedded benchmark (all four tasks), then load it frozen into a fuser.
_base_ = [
    '../_base_/models/ae_kl-f4.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]

max_iters = 600
train_dataloader = dict(batch_size=4)  # 8 images of 96 x 96 per step
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min=1e-5),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(checkpoint=dict(interval=max_iters))
# a reconstruction model has no fusion metrics: no validation or test loop
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
