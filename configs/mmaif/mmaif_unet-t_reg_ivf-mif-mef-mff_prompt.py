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
# seed=None: fresh degradations every epoch (training); an int: a fixed degraded test set
prompt_degrade = dict(type='RandomDegradeSources', task_ops=prompt_task_ops,
                      degradations=prompt_degradations, num_ops=1, source_mode='one')

model = dict(
    data_preprocessor=dict(type='FusionDataPreprocessor', size_divisor=4),
    backbone=dict(type='UNet', arch='unet-t'),
    text_encoder=dict(type='HashedNgramTextEncoder', dim=64, num_buckets=2048),
    objective=dict(losses=[], supervised=dict(loss_weight=1.0)),  # supervised only
    target_fallback='pseudo_label',
)
train_dataloader = dict(
    batch_size=8, dataset=dict(degrade=dict(prompt_degrade, seed=None, prob=0.9)))
val_dataloader = dict(dataset=dict(degrade=dict(prompt_degrade, seed=0, prob=1.0)))
test_dataloader = val_dataloader
val_evaluator = dict(metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf', 'PSNR_ref', 'SSIM_ref'])
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=1500, eta_min=1e-5),
]
train_cfg = dict(max_iters=1500, val_interval=1500)
