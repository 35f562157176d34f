# FusionFM-lite on real images of all four tasks (pseudo-label targets) plus the embedded
# benchmark, 3000 iterations; validation on the held-out real stems and the embedded val split.
# Run it with the recipe, which makes the pseudo-labels first:
#     python tools/fusionfm_recipe.py THIS_CONFIG --work-dir work_dirs/fm-lite-real --workers 2
_base_ = [
    '../_base_/models/fusionfm-lite_unet-c24-haar3_fm-src.py',
    '../_base_/datasets/real-mix_all-tasks.py',
    '../_base_/schedules/iter-3k_adamw.py',
    '../_base_/default_runtime.py',
]
