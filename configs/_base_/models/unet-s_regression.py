# A light conditional U-Net trained by regression with unsupervised fusion losses, plus a
# supervised term on the samples whose task defines a ground truth.
model = dict(
    type='AllInOneFuser',
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=8),
    backbone=dict(type='UNet', arch='unet-s'),
    objective=dict(type='Regression'),
)
