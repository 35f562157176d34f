# The larger FusionFM variant that trains on the 2-core CPU: the FusionFM default's recipe with a
# wider, deeper gated U-Net (32 channels, three levels) in a finer 2-level Haar latent (16 x H/4 x
# W/4: features at a quarter of the resolution, gates on a 2 x 2 grid per position). 1.08 M
# parameters, about 12 GFLOPs per step at 480 x 640 (the default: 0.45 M, 2.7 GFLOPs).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py']

model = dict(
    backbone=dict(
        arch=dict(base_channels=32, channel_mults=(1, 2, 2), num_blocks=1, emb_dim=64),
        latent=dict(levels=2)),  # size divisor: Haar 4 x U-Net 4 = 16, as the preprocessor's
)
