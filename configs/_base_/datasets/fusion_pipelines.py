# The pipelines every data base shares: load the sources (and gt, mask, pseudo-label), turn them
# into luma with the fused chroma kept, a random crop and flip for training, pack. A base with
# another crop size rebuilds the training pipeline from this one (see real_single-set.py).
crop_size = 96

train_pipeline = [
    dict(type='LoadMultiSourceImages'),
    # crop and flip before the colour conversion (pointwise, so the same samples): a real image
    # is converted at the crop's size, not its own (13.6 instead of 33 ms per real sample)
    dict(type='PairedRandomCrop', size=crop_size),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
