# MMAIF, flow-matching variant of mmaif_moe-dit-t-haar2_reg_real-degraded.py: from Gaussian noise
# (x0='noise') to the clean fusion (the pseudo-label of the clean sources), the degraded sources
# and the prompt as the condition; logit-normal times, 4 Euler steps at test time. The Haar
# transform is linear and orthonormal, so flow matching on the image with the network in the
# latent (loss_space='pixel') is flow matching in the latent.
_base_ = ['mmaif_moe-dit-t-haar2_reg_real-degraded.py']

model = dict(
    backbone=dict(state_channels=16, with_time=True, base='zero'),  # the 16-channel Haar state
    objective=dict(
        _delete_=True,  # a FlowMatching in place of the Regression (other arguments)
        type='FlowMatching',
        x0='noise',
        time_sampling='logit_normal',
        solver=dict(type='Euler'),
        num_steps=4,
        losses=[],
        target_key='pseudo_label'),
)
