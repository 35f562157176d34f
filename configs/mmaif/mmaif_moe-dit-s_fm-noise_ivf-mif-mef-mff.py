# MMAIF, flow-matching variant: from Gaussian noise (x0='noise') to the fused image, the sources
# only as the condition; logit-normal times, 8 Euler steps. The Haar transform is linear and
# orthonormal, so flow matching on the image with the network in the Haar latent
# (loss_space='pixel') is flow matching in the latent, and the fusion losses on the one-step
# estimate are computed on images.
_base_ = ['mmaif_moe-dit-s_reg_ivf-mif-mef-mff.py']

model = dict(
    backbone=dict(state_channels=4, with_time=True, base='zero'),
    objective=dict(
        _delete_=True,
        type='FlowMatching',
        x0='noise',
        time_sampling='logit_normal',
        solver=dict(type='Euler'),
        num_steps=8,
        losses=_base_.fusion_losses_fm,
        target_key='gt'),
)
