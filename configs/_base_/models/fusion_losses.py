# The unsupervised fusion losses against the sources (intensity, gradient, SSIM), shared by the
# model bases: down-weighted (x 0.1) for the tasks whose samples also have a supervised target
# (MEF, MFF on the embedded benchmark), weight 1 as the regression objective's terms, 0.5 as
# flow matching's terms on the one-step estimate of the fused image. A model base inherits this
# file and names `_base_.regression` or `_base_.fusion_losses_fm`.
gt_tasks_down = dict(mef=0.1, mff=0.1)
fusion_loss_types = ('IntensityLoss', 'GradientLoss', 'SSIMLoss')
fusion_losses = [dict(type=t, loss_weight=1.0, task_weights=gt_tasks_down)
                 for t in fusion_loss_types]
fusion_losses_fm = [dict(type=t, loss_weight=0.5, task_weights=gt_tasks_down)
                    for t in fusion_loss_types]
# regression: the fusion losses on every sample, and a supervised term on the samples that have
# a ground truth
regression = dict(
    type='Regression', losses=fusion_losses,
    supervised=dict(type='SupervisedLoss', loss_weight=2.0, ssim_weight=1.0), target_key='gt')
