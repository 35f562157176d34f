# IVF -> MIF -> MEF -> MFF with elastic weight consolidation (Fisher from 64 samples per task).
_base_ = ['continual_unet-t_reg_ivf-mif-mef-mff_naive.py']
ewc = dict(type='EWC', lambda_=1000.0, num_samples=64, normalize=True)
train_cfg = dict(strategy=dict(ewc, _delete_=True))
