# FusionFM-lite (source-gated head) trained on the REAL sets task after task, IVF -> MIF -> MEF ->
# MFF, by plain fine-tuning (the lower baseline; the base of the other real-seq configs). Run it
# with the FusionFM recipe, which points the real sets at their pseudo-labels first:
#     python tools/fusionfm_recipe.py THIS_CONFIG
# A stage trains on its task's real training stems (pseudo-label targets) plus that task's
# embedded train split at 0.3 of a real sample's weight, as the FusionFM default does; after each
# stage every task seen so far is scored on its held-out real stems (never trained on) with a
# no-reference metric: Qabf for ivf, mif and mff, MEF-SSIM for mef (see README.md). VIFB is never
# used.
_base_ = [
    '../_base_/models/fusionfm-lite_unet-c24-haar3-gated_fm-src.py',
    '../_base_/datasets/real-mix_all-tasks.py',
    '../_base_/schedules/continual_adamw.py',
    '../_base_/default_runtime.py',
]
# the FusionFM default's weight of the pseudo-label term (why: its config,
# configs/fusionfm/fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py)
model = dict(objective=dict(velocity_weight=20.0))

tasks = ['ivf', 'mif', 'mef', 'mff']
stage_iters = 100
metrics = dict(ivf='Qabf', mif='Qabf', mef='MEF_SSIM', mff='Qabf')
embedded_weight = dict(embedded=0.3)


def _train_loader(task_list):
    """The real-mix training data, drawing only the tasks of ``task_list``."""
    weights = {t: float(t in task_list) for t in tasks}
    return dict(_base_.train_dataloader,
                sampler=dict(_base_.train_dataloader.sampler, task_weights=weights,
                             dataset_weights=embedded_weight))


def _heldout_loader(task):
    """The held-out stems of ``task``'s real sets (the real-mix test data without the embedded
    test split and the other tasks)."""
    return dict(_base_.test_dataloader,
                dataset=dict(_base_.test_dataloader.dataset, tasks=[task], embedded=None))


# the first stage's data (what the Runner and tests/test_configs.py build); joint training's
joint_dataloader = _train_loader(tasks)
train_dataloader = _train_loader(tasks[:1])
train_cfg = dict(
    stage_iters=stage_iters,
    stages=[dict(name=t, tasks=[t], dataloader=_train_loader([t])) for t in tasks],
    evaluations={t: dict(dataloader=_heldout_loader(t), metric=metrics[t]) for t in tasks},
    strategy=dict(type='Naive'),
)
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(interval=100, max_keep_ckpts=1), logger=dict(interval=10))
