# LLVIP (Jia et al. 2021), infrared-visible street scenes at night, 1280x1024; non-commercial
# terms. data_root = the LLVIP folder (infrared/{train,test}, visible/{train,test}): training and
# validation split its train/ folder (layout LLVIP-train), the test set is its test/ folder
# (layout LLVIP). Not in ../shared/data: set FUSIONBOX_SHARED_DATA or data_root.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/ivf/LLVIP'
train_dataloader = dict(dataset=dict(layout='LLVIP-train', data_root=data_root))
val_dataloader = dict(dataset=dict(layout='LLVIP-train', data_root=data_root))
test_dataloader = dict(dataset=dict(layout='LLVIP', data_root=data_root, subset=None))
