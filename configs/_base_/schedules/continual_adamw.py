# A task sequence trained by TaskSequenceTrainLoop: AdamW at a constant rate after a short warm-up
# (the rate does not restart per stage; the optimiser state carries over from task to task).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50)]
train_cfg = dict(type='TaskSequenceTrainLoop', stage_iters=1000, strategy=dict(type='Naive'),
                 protocol='standard', save_stage_checkpoints=True, reseed_stages=True)
val_cfg = None
test_cfg = dict(type='TestLoop')
