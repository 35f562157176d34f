# MFFW multi-focus pairs, MFI-WHU-style folders (source_1/, source_2/). Not in ../shared/data:
# set FUSIONBOX_SHARED_DATA or data_root to a folder holding mff/MFFW.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mff/MFFW'
real_set = dict(layout='MFFW', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
