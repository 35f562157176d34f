# FusionFM: a light conditional U-Net predicting the velocity of source-anchored flow matching
# (t = 0: a per-task initial fusion of the sources, t = 1: the fused image), supervised by
# pseudo-labels; samples without a pseudo-label fall back to the ground truth (the embedded
# benchmark has one for MEF and MFF), and every sample is also trained by the unsupervised fusion
# losses on the one-step estimate of the fused image.
_base_ = ['fusion_losses.py']
model = dict(
    type='AllInOneFuser',
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=8),
    backbone=dict(type='UNet', arch='unet-s', state_channels=1, with_time=True, base='zero'),
    objective=dict(
        type='FlowMatching',
        x0='sources',
        noise_std=0.02,
        time_sampling='uniform',
        solver=dict(type='Euler'),
        num_steps=4,
        losses=_base_.fusion_losses_fm,
        target_key='pseudo_label'),
    target_fallback='gt',
)
