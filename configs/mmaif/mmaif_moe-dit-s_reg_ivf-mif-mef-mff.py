# MMAIF (Cao et al., ICCV 2025), regression variant: MoE-DiT in a Haar latent, prompt-conditioned,
# trained on degraded sources (each embedded dataset wrapped by DegradedFusionDataset: random
# degradations per sample and the restoration prompt that describes them); the target is the
# clean ground truth where the task has one (MEF, MFF), the fusion losses apply to every sample.
_base_ = [
    '../_base_/models/mmaif_moe-dit-s_reg_haar.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]

# seed=None: fresh degradations every epoch (training); an int: a fixed degraded test set.
train_dataloader = dict(
    batch_size=8, dataset=dict(degrade=dict(type='RandomDegradeSources', seed=None)))
val_dataloader = dict(dataset=dict(degrade=dict(type='RandomDegradeSources', seed=0)))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=5e-4))
