# A light conditional U-Net trained by regression: unsupervised fusion losses against the sources
# for every sample, and a supervised term on the samples whose task defines a ground truth
# (MEF, MFF on the embedded benchmark), where the unsupervised terms are down-weighted.
_base_ = ['fusion_losses.py']
model = dict(
    type='AllInOneFuser',
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=8),
    backbone=dict(type='UNet', arch='unet-s'),
    objective=_base_.regression,
)
