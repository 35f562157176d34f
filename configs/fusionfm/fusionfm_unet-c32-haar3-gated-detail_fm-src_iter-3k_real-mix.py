# The larger FusionFM variant with the two-band gated head (see
# fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-3k_real-mix.py): the c32 U-Net of
# fusionfm_unet-c32-haar3-gated_fm-src_iter-3k_real-mix.py, detail weighted apart.
_base_ = ['fusionfm_unet-c32-haar3-gated_fm-src_iter-3k_real-mix.py']

model = dict(backbone=dict(head_cfg=dict(detail_sigma=2.0)))
