# The embedded default benchmark: all four tasks in one model (generated on first use, cached).
embedded = dict(type='EmbeddedFusionDataset', seed=0, size=128)
tasks = ['ivf', 'mif', 'mef', 'mff']
crop_size = 96

train_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PairedRandomCrop', size=crop_size),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='PackFusionInputs'),
]
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


def _split(split, pipeline):
    return dict(
        type='ConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
        datasets=[dict(embedded, task=t, split=split, pipeline=pipeline) for t in tasks])


train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_split('train', train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('val', test_pipeline))
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('test', test_pipeline))
val_evaluator = dict(type='FusionMetric', metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref',
                                                   'SSIM_ref'], protocol='standard')
test_evaluator = val_evaluator
