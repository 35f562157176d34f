# TNO Image Fusion Dataset (infrared-visible), as redistributed by fusion repositories (ir/, vi/).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/ivf/TNO'
real_set = dict(layout='TNO', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
