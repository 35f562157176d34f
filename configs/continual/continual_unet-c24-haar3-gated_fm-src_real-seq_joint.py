# The upper reference: one stage on all four tasks' real sets at once (the FusionFM default's
# training data), as many iterations as the whole sequence (4 x stage_iters).
_base_ = ['continual_unet-c24-haar3-gated_fm-src_real-seq_naive.py']
train_cfg = dict(stages=[dict(name='joint', tasks=['ivf', 'mif', 'mef', 'mff'], iters_scale=4,
                              dataloader={{_base_.joint_dataloader}})])
