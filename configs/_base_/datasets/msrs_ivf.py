# MSRS (Tang et al. 2022), infrared-visible road scenes 640x480 by day and night. The public release
# has train/ and test/ folders: point data_root at train/ to train on it.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/ivf/MSRS'
real_set = dict(layout='MSRS', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
