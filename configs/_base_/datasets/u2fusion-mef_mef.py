# U2Fusion test set 1: grey under/over-exposed pairs (ue/, oe/).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mef/U2Fusion_dataset1'
real_set = dict(layout='U2Fusion-MEF', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
