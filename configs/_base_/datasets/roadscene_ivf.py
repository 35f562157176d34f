# RoadScene (FLIR-based infrared-visible), CDDFuse's folder names (ir/, vi/).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/ivf/RoadScene'
real_set = dict(layout='RoadScene', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
