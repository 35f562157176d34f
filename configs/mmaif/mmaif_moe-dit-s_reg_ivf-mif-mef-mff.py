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


def _degraded(split, pipeline, seed):
    # seed=None: fresh degradations every epoch (training); an int: a fixed degraded test set.
    # The degradation step is inserted before the pipeline's PackFusionInputs.
    return dict(
        _delete_=True, type='ConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
        datasets=[dict(type='DegradedFusionDataset',
                       dataset=dict(_base_.embedded, task=t, split=split, pipeline=pipeline),
                       degrade=dict(type='RandomDegradeSources', seed=seed))
                  for t in _base_.tasks])


train_dataloader = dict(batch_size=8, dataset=_degraded('train', _base_.train_pipeline, None))
val_dataloader = dict(dataset=_degraded('val', _base_.test_pipeline, 0))
test_dataloader = dict(dataset=_degraded('test', _base_.test_pipeline, 0))
optim_wrapper = dict(optimizer=dict(lr=5e-4))
