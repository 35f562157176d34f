# FusionFM-lite for real-time use: the tiny U-Net and 2 Euler steps (NFE = 2).
_base_ = ['fusionfm_unet-s_fm-src_ivf-mif-mef-mff.py']

model = dict(backbone=dict(arch='unet-t'), objective=dict(num_steps=2))
