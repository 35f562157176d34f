# A light conditional U-Net trained by regression: unsupervised fusion losses against the sources
# for every sample, and a supervised term on the samples whose task defines a ground truth
# (MEF, MFF on the embedded benchmark), where the unsupervised terms are down-weighted.
gt_tasks_down = dict(mef=0.1, mff=0.1)
model = dict(
    type='AllInOneFuser',
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=8),
    backbone=dict(type='UNet', arch='unet-s'),
    objective=dict(
        type='Regression',
        losses=[
            dict(type='IntensityLoss', loss_weight=1.0, task_weights=gt_tasks_down),
            dict(type='GradientLoss', loss_weight=1.0, task_weights=gt_tasks_down),
            dict(type='SSIMLoss', loss_weight=1.0, task_weights=gt_tasks_down),
        ],
        supervised=dict(type='SupervisedLoss', loss_weight=2.0, ssim_weight=1.0),
        target_key='gt'),
)
