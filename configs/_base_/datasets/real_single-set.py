# One real dataset in a named folder layout (MultiSourceFusionDataset): training on all but its
# held-out stems, validation and test on the held-out ones. One stem in `holdout_every` is held
# out, by sorted stem (positions 4, 9, 14, ...; fusionbox.datasets.holdout_stems), so the split
# depends on the file names only. A dataset base inheriting this sets `layout` and `data_root`
# (see msrs_ivf.py; data_root under `shared_data`: $FUSIONBOX_SHARED_DATA, else ../shared/data
# beside the checkout). Training targets are pseudo-labels (pseudo_label_dir, filled in by
# tools/fusionfm_recipe.py); without them only the unsupervised fusion losses train.
_base_ = ['fusion_pipelines.py']
shared_data = '{{$FUSIONBOX_SHARED_DATA:{{fileDirname}}/../../../../shared/data}}'
holdout_every = 5
crop_size = 128  # real images are 256x256 to 1024x768
train_pipeline = [dict(t, size=crop_size) if t['type'] == 'PairedRandomCrop' else t
                  for t in _base_.train_pipeline]
real_set = dict(type='MultiSourceFusionDataset', holdout_every=holdout_every)

train_dataloader = dict(
    batch_size=8, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(real_set, subset='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(real_set, subset='holdout', pipeline=_base_.test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(real_set, subset='holdout', pipeline=_base_.test_pipeline, test_mode=True))
val_evaluator = dict(type='FusionMetric', protocol='standard',
                     metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref'])
test_evaluator = val_evaluator
