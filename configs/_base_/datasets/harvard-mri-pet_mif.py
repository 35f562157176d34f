# Harvard whole-brain atlas MRI-PET pairs (PET/, MRI/), 256x256, PET in colour, first slot.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mif/Harvard_MRI_PET'
real_set = dict(layout='Harvard-MRI-PET', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
