"""What the downstream detector and segmenter configs share: CPU data loading, a 300-iteration
AdamW schedule (warm-up, cosine decay) and the runtime. `fusionbox downstream --iters N` rescales
the schedule to N iterations."""

train_dataloader = dict(
    batch_size=4, num_workers=0, sampler=dict(type='InfiniteSampler', shuffle=True)
)
test_dataloader = dict(
    batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False)
)

max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10.0),
)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters, T_max=max_iters),
]

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
log_processor = dict(by_epoch=False)
log_level = 'WARNING'
load_from = None
resume = False
