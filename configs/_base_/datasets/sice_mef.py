# SICE under/over-exposed pairs as U2Fusion distributes them (ue/, oe/). Not in ../shared/data:
# set FUSIONBOX_SHARED_DATA or data_root to a folder holding mef/SICE.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mef/SICE'
real_set = dict(layout='SICE', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
