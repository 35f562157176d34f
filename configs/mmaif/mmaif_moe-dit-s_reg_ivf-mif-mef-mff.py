# MMAIF (Cao et al., ICCV 2025), regression variant: MoE-DiT in a Haar latent, prompt-conditioned,
# trained on degraded sources (DegradedFusionDataset wrapping the embedded benchmark: random
# degradations per sample and the restoration prompt that describes them); the target is the
# clean ground truth where the task has one (MEF, MFF), the fusion losses apply to every sample.
_base_ = [
    '../_base_/models/mmaif_moe-dit-s_reg_haar.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]

tasks = ['ivf', 'mif', 'mef', 'mff']
embedded = dict(type='EmbeddedFusionDataset', seed=0, size=128)
crop_size = 96
train_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PairedRandomCrop', size=crop_size),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='PackFusionInputs'),  # the degradation step is inserted before it
]
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]


def _degraded(split, pipeline, seed):
    # seed=None: fresh degradations every epoch (training); an int: a fixed degraded test set
    return dict(
        _delete_=True, type='ConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
        datasets=[dict(type='DegradedFusionDataset',
                       dataset=dict(embedded, task=t, split=split, pipeline=pipeline),
                       degrade=dict(type='RandomDegradeSources', seed=seed))
                  for t in tasks])


train_dataloader = dict(batch_size=8, dataset=_degraded('train', train_pipeline, None))
val_dataloader = dict(dataset=_degraded('val', test_pipeline, 0))
test_dataloader = dict(dataset=_degraded('test', test_pipeline, 0))
optim_wrapper = dict(optimizer=dict(lr=5e-4))
