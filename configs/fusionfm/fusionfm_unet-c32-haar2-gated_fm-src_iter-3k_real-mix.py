# The larger FusionFM variant that trains on the 2-core CPU: the gated FusionFM-lite recipe with a
# wider, deeper U-Net (32 channels, three levels) in a finer 2-level Haar latent (16 x H/4 x W/4:
# gates over 4 x 4 blocks of coefficients, features at a quarter of the resolution). 1.08 M
# parameters, 12.2 GFLOPs per step at 480 x 640 (lite: 0.45 M, 2.7 GFLOPs).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py']

model = dict(
    data_preprocessor=dict(size_divisor=16),  # Haar downsample 4 x U-Net size divisor 4
    autoencoder=dict(levels=2),
    backbone=dict(
        arch=dict(base_channels=32, channel_mults=(1, 2, 2), num_blocks=1, emb_dim=64),
        state_channels=16),  # the state x enters as its 16-channel Haar latent
)
