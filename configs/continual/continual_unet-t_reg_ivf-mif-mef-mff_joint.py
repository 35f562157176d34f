# The upper reference: one stage on all four tasks at once, as many iterations as the
# whole sequence (4 x stage_iters). (The top-level train_dataloader stays the base's; the stage
# brings its own.)
_base_ = ['continual_unet-t_reg_ivf-mif-mef-mff_naive.py']
train_cfg = dict(stages=[dict(name='joint', tasks=['ivf', 'mif', 'mef', 'mff'], iters_scale=4,
                              dataloader={{_base_.joint_dataloader}})])
