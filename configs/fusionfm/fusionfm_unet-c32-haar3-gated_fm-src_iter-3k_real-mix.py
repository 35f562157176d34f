# The larger FusionFM variant that trains on the 2-core CPU: the FusionFM default's recipe with a
# wider and deeper gated U-Net (32 channels, three levels instead of 24 and two) in the same 3-level
# Haar latent. 1.15 M parameters, 4.2 GFLOPs per step at 480 x 640 (the default: 0.42 M, 2.7).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py']

model = dict(
    data_preprocessor=dict(size_divisor=32),  # Haar 8 x U-Net 4
    backbone=dict(arch=dict(base_channels=32, channel_mults=(1, 2, 2), num_blocks=1, emb_dim=64)),
)
