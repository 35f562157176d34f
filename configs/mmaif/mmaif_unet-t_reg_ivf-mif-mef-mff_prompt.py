# Prompt-response experiment (benchmarks/prompt_response.py): a tiny prompt-conditioned U-Net
# (unet-t + hashed n-gram prompt encoder) trained to RESTORE while fusing, on the embedded
# benchmark wrapped by DegradedFusionDataset with ONE clearly identifiable degradation per sample
# (noise, blur, low light, haze, low contrast) on one source, and the prompt that names it.
# The loss is supervised only: the clean target is the ground truth where the task has one (MEF,
# MFF) and, for IVF and MIF, the pseudo-label of the CLEAN sources (`pseudo_label_dir`, which the
# benchmark precomputes with a training-free prior and fills in; without it IVF / MIF samples have
# no target and do not train). No unsupervised fusion loss: those compare the output with the
# degraded sources and would teach the model to keep the degradation.
# 10% of the training samples stay clean with the empty prompt, so '' means "nothing to restore".
_base_ = [
    '../_base_/models/unet-s_regression.py',
    '../_base_/datasets/embedded_all-tasks.py',
    '../_base_/schedules/iter-2k_adamw.py',
    '../_base_/default_runtime.py',
]

tasks = ['ivf', 'mif', 'mef', 'mff']
embedded = dict(type='EmbeddedFusionDataset', seed=0, size=128)
crop_size = 96
# one operation per sample, drawn from a short list of visually distinct ones per task
# (visible-only operations -- low light, haze -- cannot hit IR, PET or MRI; no exposure change for
# MEF, no blur for MFF: those are what the tasks fuse)
prompt_task_ops = dict(
    ivf=['gaussian_noise', 'gaussian_blur', 'low_light', 'haze'],
    mif=['gaussian_noise', 'gaussian_blur', 'low_contrast'],
    mef=['gaussian_noise', 'gaussian_blur', 'haze'],
    mff=['gaussian_noise', 'low_light', 'haze'],
)
prompt_degradations = dict(
    GaussianNoise=dict(sigma=(0.04, 0.1)),
    GaussianBlur=dict(sigma=(1.5, 3.0)),
    LowLight=dict(gain=(0.15, 0.4)),
    Haze=dict(beta=(1.0, 2.5)),
    LowContrast=dict(factor=(0.3, 0.6)),
)
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


def _degraded(split, pipeline, seed, prob):
    # seed=None: fresh degradations every epoch (training); an int: a fixed degraded test set
    return dict(
        _delete_=True, type='ConcatDataset', ignore_keys=['task', 'source_names', 'layout'],
        datasets=[dict(type='DegradedFusionDataset',
                       dataset=dict(embedded, task=t, split=split, pipeline=pipeline),
                       degrade=dict(type='RandomDegradeSources', seed=seed, prob=prob,
                                    task_ops=prompt_task_ops, degradations=prompt_degradations,
                                    num_ops=1, source_mode='one'))
                  for t in tasks])


model = dict(
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=4),
    backbone=dict(type='UNet', arch='unet-t'),
    text_encoder=dict(type='HashedNgramTextEncoder', dim=64, num_buckets=2048),
    objective=dict(
        _delete_=True, type='Regression', losses=[],
        supervised=dict(type='SupervisedLoss', loss_weight=1.0, ssim_weight=1.0),
        target_key='gt'),
    target_fallback='pseudo_label',
)
train_dataloader = dict(batch_size=8, dataset=_degraded('train', train_pipeline, None, 0.9))
val_dataloader = dict(dataset=_degraded('val', test_pipeline, 0, 1.0))
test_dataloader = dict(dataset=_degraded('test', test_pipeline, 0, 1.0))
val_evaluator = dict(metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref'])
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=1500, eta_min=1e-5),
]
train_cfg = dict(max_iters=1500, val_interval=1500)
