# IVF -> MIF -> MEF -> MFF with elastic weight consolidation (Fisher from 32 samples per task,
# normalised to mean 1).
_base_ = ['continual_unet-t_reg_ivf-mif-mef-mff_naive.py']
ewc = dict(type='EWC', lambda_=0.02, num_samples=32, normalize=True)
train_cfg = dict(strategy=dict(ewc, _delete_=True))
