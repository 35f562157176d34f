# U2Fusion multi-focus test pairs, grey near/far focus (near/, far/). ../shared/data holds 3
# pairs, below holdout_every: all train, none held out (its holdout subset is empty).
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mff/U2Fusion_MFF'
real_set = dict(layout='U2Fusion-MFF', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
