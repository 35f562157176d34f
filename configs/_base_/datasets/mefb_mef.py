# MEFB multi-exposure benchmark: one folder per sequence, <seq>/<seq>_A (under) and _B (over).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mef/MEFB'
real_set = dict(layout='MEFB', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
