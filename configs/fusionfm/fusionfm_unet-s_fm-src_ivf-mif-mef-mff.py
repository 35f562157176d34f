# FusionFM (Zhu et al., 2025): source-anchored flow matching with a light U-Net, all four tasks,
# 4 Euler steps. Pseudo-label targets (see README: make them with `fusionbox pseudo-labels` and set
# pseudo_label_dir); without them the embedded benchmark's ground truth (MEF, MFF) is the target.
_base_ = [
    '../_base_/models/fusionfm_unet-s_fm-src.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]
