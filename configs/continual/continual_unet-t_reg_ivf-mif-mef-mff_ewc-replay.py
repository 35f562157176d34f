# IVF -> MIF -> MEF -> MFF with EWC and experience replay together (FusionFM's setting).
_base_ = ['continual_unet-t_reg_ivf-mif-mef-mff_naive.py']
strategies = [
    dict(type='EWC', lambda_=0.02, num_samples=32, normalize=True),
    dict(type='Replay', capacity=64, ratio=0.5),
]
train_cfg = dict(strategy=dict(type='Compose', strategies=strategies, _delete_=True))
