# FusionFM-lite with the source-gated output head (see
# fusionfm-lite_unet-c24-haar3-gated_fm-src_ivf-mif-mef-mff.py) on real images of all four tasks
# (pseudo-label targets) plus the embedded benchmark, 3000 iterations: the FusionFM default model.
# Run it with tools/fusionfm_recipe.py (pseudo-labels first, then training).
_base_ = [
    '../_base_/models/fusionfm-lite_unet-c24-haar3-gated_fm-src.py',
    '../_base_/datasets/real-mix_all-tasks.py',
    '../_base_/schedules/iter-3k_adamw.py',
    '../_base_/default_runtime.py',
]
# Real images lead within each task; the embedded benchmark (32 training images per task, IVF and
# MIF without any target) is drawn at 0.3 of a real sample's weight.
train_dataloader = dict(sampler=dict(dataset_weights=dict(embedded=0.3)))
