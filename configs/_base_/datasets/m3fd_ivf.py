# M3FD fusion set (TarDAL), infrared-visible 1024x768 (ir/, vi/). ../shared/data holds one pair,
# which is below holdout_every: it has no held-out stem (its holdout subset is empty).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/ivf/M3FD'
real_set = dict(layout='M3FD', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
