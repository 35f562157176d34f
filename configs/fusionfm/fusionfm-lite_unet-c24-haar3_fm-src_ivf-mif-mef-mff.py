# FusionFM-lite on the embedded benchmark, 2000 iterations. The model (source-anchored flow
# matching, a 24-channel U-Net in a 3-level Haar latent, 4 Euler steps) is its own base,
# ../_base_/models/fusionfm-lite_unet-c24-haar3_fm-src.py, shared with the real-data configs.
_base_ = [
    '../_base_/models/fusionfm-lite_unet-c24-haar3_fm-src.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]
