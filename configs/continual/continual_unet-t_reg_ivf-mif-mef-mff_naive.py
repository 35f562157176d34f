# Sequential fine-tuning IVF -> MIF -> MEF -> MFF on the embedded benchmark (the lower baseline),
# and the base of the other continual configs: after each stage every task seen so far is scored
# on its test split (Qabf for ivf/mif, SSIM against the ground truth for mef/mff).
_base_ = [
    '../_base_/models/unet-s_regression.py',
    '../_base_/datasets/fusion_pipelines.py',
    '../_base_/schedules/continual_adamw.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=dict(arch='unet-t'))

tasks = ['ivf', 'mif', 'mef', 'mff']
crop_size = 64
stage_iters = 100
embedded = dict(type='EmbeddedFusionDataset', seed=0, size=128)
train_pipeline = [dict(t, size=crop_size) if t['type'] == 'PairedRandomCrop' else t
                  for t in _base_.train_pipeline]


def _data(task_list, split, pipeline):
    if len(task_list) == 1:
        return dict(embedded, task=task_list[0], split=split, pipeline=pipeline)
    return dict(type='ConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
                datasets=[dict(embedded, task=t, split=split, pipeline=pipeline)
                          for t in task_list])


def _train_loader(task_list):
    return dict(batch_size=4, num_workers=0, sampler=dict(type='InfiniteSampler', shuffle=True),
                dataset=_data(task_list, 'train', train_pipeline))


def _test_loader(task_list):
    return dict(batch_size=1, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                dataset=_data(task_list, 'test', _base_.test_pipeline))


# the first stage's data (what the Runner and tests/test_configs.py build); joint training's
joint_dataloader = _train_loader(tasks)
train_dataloader = _train_loader(tasks[:1])
train_cfg = dict(
    stage_iters=stage_iters,
    stages=[dict(name=t, tasks=[t], dataloader=_train_loader([t])) for t in tasks],
    evaluations={t: dict(dataloader=_test_loader([t])) for t in tasks},
    strategy=dict(type='Naive'),
)
val_dataloader = None
val_evaluator = None
test_dataloader = _test_loader(tasks)
test_evaluator = dict(type='FusionMetric', metric_names=['Qabf', 'SSIM', 'PSNR_ref', 'SSIM_ref'])
default_hooks = dict(checkpoint=dict(interval=50, max_keep_ckpts=1), logger=dict(interval=25))
