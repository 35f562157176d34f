# IVF -> MIF -> MEF -> MFF with experience replay: a task-balanced memory of 64 crops, two
# replayed samples appended to each batch of four.
_base_ = ['continual_unet-t_reg_ivf-mif-mef-mff_naive.py']
replay = dict(type='Replay', capacity=64, ratio=0.5)
train_cfg = dict(strategy=dict(replay, _delete_=True))
