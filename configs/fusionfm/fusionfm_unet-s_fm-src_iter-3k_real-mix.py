# FusionFM at the reference size (unet-s, pixels, 4 Euler steps) on real images of all four tasks
# (pseudo-label targets) plus the embedded benchmark, 3000 iterations. Made for a GPU: on the 2-core
# CPU a 128x128 batch of 8 takes seconds per iteration. Run it with tools/fusionfm_recipe.py.
_base_ = [
    '../_base_/models/fusionfm_unet-s_fm-src.py',
    '../_base_/datasets/real-mix_all-tasks.py',
    '../_base_/schedules/iter-3k_adamw.py',
    '../_base_/default_runtime.py',
]
