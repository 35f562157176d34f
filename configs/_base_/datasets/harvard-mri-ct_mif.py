# Harvard whole-brain atlas MRI-CT pairs (CT/, MRI/), 256x256, CT in the first slot.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mif/Harvard_MRI_CT'
real_set = dict(layout='Harvard-MRI-CT', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
