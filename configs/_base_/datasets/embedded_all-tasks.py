# The embedded default benchmark: all four tasks in one model (generated on first use, cached).
# Each split is one MultiTaskFusionDataset; a child narrows or degrades it by dict,
#     train_dataloader = dict(dataset=dict(tasks=['ivf', 'mef']))
#     train_dataloader = dict(dataset=dict(degrade=dict(type='RandomDegradeSources', seed=None)))
_base_ = ['fusion_pipelines.py']  # 96 x 96 training crops
all_tasks = dict(type='MultiTaskFusionDataset', tasks=['ivf', 'mif', 'mef', 'mff'],
                 embedded=dict(seed=0, size=128))

train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(all_tasks, split='train', pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(all_tasks, split='val', pipeline=_base_.test_pipeline))
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(all_tasks, split='test', pipeline=_base_.test_pipeline))
val_evaluator = dict(type='FusionMetric', protocol='standard',
                     metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref'])
test_evaluator = val_evaluator
