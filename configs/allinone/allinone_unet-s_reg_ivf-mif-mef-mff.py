# The first end-to-end model: one U-Net for IVF, MIF, MEF and MFF on the embedded benchmark.
_base_ = [
    '../_base_/models/unet-s_regression.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]
