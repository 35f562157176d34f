# The real sets of all four tasks (the `real_sets` of real-mix_all-tasks.py, VIFB never among
# them) with DEGRADED sources, for MMAIF: each set wrapped by DegradedRealFusionDataset (1 to 3
# operations of the task's set per sample, infrared stripes on infrared only, the prompt that
# describes them); the target is the pseudo-label of the CLEAN sources (pseudo_label_dir, made and
# filled in by tools/fusionfm_recipe.py: the same label cache as FusionFM). Training draws anew at
# every fetch (keyed by seed, set, stem and draw: reproducible); validation and test degrade the
# held-out stems once, with `eval_seed`. The embedded benchmark is left out (its IVF / MIF
# samples have no clean-fusion target), so the split is a plain FusionConcatDataset of the
# wrapped real sets (the base's dataset type and its arguments are replaced).
_base_ = ['real-mix_all-tasks.py']

train_seed = 0
eval_seed = 0


def _degraded(layout, subset, pipeline, seed, test_mode=False, require_target=True):
    real = dict(type='MultiSourceFusionDataset', layout=layout,
                data_root=f'{_base_.shared_data}/{_base_.real_sets[layout]}',
                holdout_every=_base_.holdout_every, subset=subset, pipeline=pipeline,
                test_mode=test_mode)
    return dict(type='DegradedRealFusionDataset', dataset=real, test_mode=test_mode,
                require_target=require_target,
                degrade=dict(type='RandomDegradeSources', seed=seed))


def _split(layouts, subset, pipeline, seed, **kwargs):
    return dict(_delete_=True, type='FusionConcatDataset',
                ignore_keys=['task', 'source_names', 'layout'],
                datasets=[_degraded(n, subset, pipeline, seed, **kwargs) for n in layouts])


train_dataloader = dict(
    dataset=_split(_base_.real_sets, 'train', _base_.train_pipeline, train_seed))
# held-out stems: evaluated without a target unless pseudo_label_dir is given (the recipe labels
# the training loader's sets; benchmarks/mmaif_degraded.py scores against the labels itself)
_eval = dict(test_mode=True, require_target=False)
val_dataloader = dict(
    dataset=_split(_base_.heldout_sets, 'holdout', _base_.test_pipeline, eval_seed, **_eval))
test_dataloader = val_dataloader
val_evaluator = dict(metric_names=['EN', 'SD', 'SF', 'SSIM', 'Qabf'])
test_evaluator = val_evaluator
