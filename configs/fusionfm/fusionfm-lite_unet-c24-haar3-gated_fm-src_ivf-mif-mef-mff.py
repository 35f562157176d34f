# FusionFM-lite with the source-gated output head (../_base_/models/
# fusionfm-lite_unet-c24-haar3-gated_fm-src.py) on the embedded benchmark, 2000 iterations.
_base_ = [
    '../_base_/models/fusionfm-lite_unet-c24-haar3-gated_fm-src.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]
