# The embedded default benchmark: all four tasks in one model (generated on first use, cached).
# The members of a split are one FusionConcatDataset: a child degrades them all by dict,
#     train_dataloader = dict(dataset=dict(degrade=dict(type='RandomDegradeSources', seed=None)))
_base_ = ['fusion_pipelines.py']  # 96 x 96 training crops
embedded = dict(type='EmbeddedFusionDataset', seed=0, size=128)
tasks = ['ivf', 'mif', 'mef', 'mff']


def _split(split, pipeline):
    return dict(
        type='FusionConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
        datasets=[dict(embedded, task=t, split=split, pipeline=pipeline) for t in tasks])


train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=_split('train', _base_.train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('val', _base_.test_pipeline))
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_split('test', _base_.test_pipeline))
val_evaluator = dict(type='FusionMetric', protocol='standard',
                     metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref'])
test_evaluator = val_evaluator
