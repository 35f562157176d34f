# Lytro multi-focus pairs (MFIFB naming): lytro_NN/lytro_NN_A and _B, 520x520 colour.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mff/Lytro'
real_set = dict(layout='Lytro', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
