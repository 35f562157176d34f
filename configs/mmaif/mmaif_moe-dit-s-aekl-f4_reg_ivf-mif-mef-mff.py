# MMAIF regression in the latent of the learned KL autoencoder (4 channels, /4) trained by
# configs/autoencoder/ae_kl-f4_embedded.py, loaded frozen. Pass its checkpoint:
#   --cfg-options model.autoencoder.checkpoint=work_dirs/ae_kl-f4_embedded/iter_600.pth
# (without one the frozen autoencoder keeps random weights and a warning says so).
_base_ = ['mmaif_moe-dit-s_reg_ivf-mif-mef-mff.py']

model = dict(
    autoencoder=dict(_delete_=True, type='ConvAutoencoder', in_channels=1, latent_channels=4,
                     downsample=4, base_channels=16, kl=True, checkpoint=None, frozen=True),
    backbone=dict(input_size=32),
)
