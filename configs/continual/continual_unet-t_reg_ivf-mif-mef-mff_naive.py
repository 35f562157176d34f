# Sequential fine-tuning IVF -> MIF -> MEF -> MFF on the embedded benchmark (the lower baseline),
# and the base of the other continual configs: after each stage every task seen so far is scored
# on its test split (Qabf for ivf/mif, SSIM against the ground truth for mef/mff).
_base_ = [
    '../_base_/models/unet-s_regression.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/continual_adamw.py',
    '../_base_/default_runtime.py',
]
model = dict(backbone=dict(arch='unet-t'))

tasks = ['ivf', 'mif', 'mef', 'mff']
crop_size = 64
stage_iters = 100
train_pipeline = [dict(t, size=crop_size) if t['type'] == 'PairedRandomCrop' else t
                  for t in _base_.train_pipeline]


def _train_loader(task_list):
    """The embedded train split of the tasks of ``task_list``, batches of 4."""
    base = _base_.train_dataloader
    return dict(base, batch_size=4,
                dataset=dict(base.dataset, tasks=task_list, pipeline=train_pipeline))


def _test_loader(task_list):
    """The embedded test split of the tasks of ``task_list``."""
    base = _base_.test_dataloader
    return dict(base, dataset=dict(base.dataset, tasks=task_list))


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
