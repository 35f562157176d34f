# The larger FusionFM variant with the two-band head on the default's 6000-iteration recipe: the
# c32 U-Net of fusionfm_unet-c32-haar3-gated_fm-src_iter-3k_real-mix.py (32 channels, three
# levels) in place of the lite one (the lite model ranked better after 6000 than after 3000
# iterations on the held-out stems of three tasks of four).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-6k_real-mix.py']

model = dict(
    data_preprocessor=dict(size_divisor=32),  # Haar 8 x U-Net 4
    backbone=dict(arch=dict(base_channels=32, channel_mults=(1, 2, 2), num_blocks=1, emb_dim=64)),
)
