# Real images of all four tasks plus the embedded benchmark, for one all-in-one model.
#
# Training: every real set in ../shared/data except VIFB (the evaluation set: never trained or
# validated on), all but its held-out stems (one in `holdout_every` by sorted stem, see
# real_single-set.py), with pseudo-labels as the target (made and filled in by
# tools/fusionfm_recipe.py); plus the embedded benchmark's train split, which keeps its ground
# truth (MEF, MFF) through the fuser's target_fallback='gt'. Each draw picks a task by
# `task_weights`, then a sample of it (TaskWeightedSampler; `dataset_weights` weighs the sets
# within a task, e.g. dict(embedded=0.5)). A child changes them by dict:
#     train_dataloader = dict(sampler=dict(task_weights=dict(mff=2.0)))
# Validation and test: the held-out stems of the real sets that have any, and the embedded
# val / test splits.
_base_ = ['embedded_all-tasks.py']

shared_data = '{{$FUSIONBOX_SHARED_DATA:{{fileDirname}}/../../../../shared/data}}'
# layout name -> folder under shared_data (fusionbox.datasets.layouts.SHARED_DATA_DIRS)
real_sets = {
    'MSRS': 'ivf/MSRS', 'TNO': 'ivf/TNO', 'RoadScene': 'ivf/RoadScene', 'M3FD': 'ivf/M3FD',
    'Harvard-MRI-CT': 'mif/Harvard_MRI_CT', 'Harvard-MRI-PET': 'mif/Harvard_MRI_PET',
    'Harvard-MRI-SPECT': 'mif/Harvard_MRI_SPECT',
    'MEFB': 'mef/MEFB', 'U2Fusion-MEF': 'mef/U2Fusion_dataset1',
    'Lytro': 'mff/Lytro', 'U2Fusion-MFF': 'mff/U2Fusion_MFF',
}
# the sets with a held-out stem (at least holdout_every samples; M3FD has 1, U2Fusion-MFF 3)
heldout_sets = ['MSRS', 'TNO', 'RoadScene', 'Harvard-MRI-CT', 'Harvard-MRI-PET',
                'Harvard-MRI-SPECT', 'MEFB', 'U2Fusion-MEF', 'Lytro']
holdout_every = 5
crop_size = 128  # real images are 256x256 to 1024x768; the embedded ones 128x128
train_pipeline = [dict(t, size=crop_size) if t['type'] == 'PairedRandomCrop' else t
                  for t in _base_.train_pipeline]


def _real(layout):
    return dict(type='MultiSourceFusionDataset', layout=layout,
                data_root=f'{shared_data}/{real_sets[layout]}', holdout_every=holdout_every)


# the embedded members of the base, then the real sets (each split takes its subset of them)
train_dataloader = dict(
    sampler=dict(type='TaskWeightedSampler', task_weights=dict(ivf=1.0, mif=1.0, mef=1.0, mff=1.0)),
    dataset=dict(pipeline=train_pipeline, datasets=[_real(name) for name in real_sets]))
val_dataloader = dict(dataset=dict(datasets=[_real(name) for name in heldout_sets]))
test_dataloader = dict(dataset=dict(datasets=[_real(name) for name in heldout_sets]))

# The recipe's pseudo-label settings per task: keyword arguments of
# fusionbox.pseudo_labels.PseudoLabelPipeline (priors, results, selector, refiner); empty = its
# defaults. Changing them makes new labels (the cache is keyed by dataset and settings).
pseudo_labels = dict(ivf=dict(), mif=dict(), mef=dict(), mff=dict())
