# The tiny U-Net on pixels and 2 Euler steps (NFE = 2): the first FusionFM-lite. The real-time
# lite config is now fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py (Haar latent, 20x
# fewer FLOPs per step at 480 x 640).
_base_ = ['fusionfm_unet-s_fm-src_ivf-mif-mef-mff.py']

model = dict(backbone=dict(arch='unet-t'), objective=dict(num_steps=2))
