# The plugin's backbone, degradation and task on FusionBox's all-in-one regression config,
# inherited by scope from the installed package (no path to a checkout): the embedded
# benchmark's four tasks plus the plugin's near-infrared + RGB task (`nir`, generated from
# scikit-image's colour sample images), every sample sprinkled with the plugin's impulse noise.
_base_ = ['fusionbox::allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py']

model = dict(backbone=dict(_delete_=True, type='TinyConvFuser', width=8))  # another backbone
salt_pepper = dict(
    type='DegradeSources', degradations=[dict(type='SaltPepperNoise', amount=0.01)], seed=0
)
five_tasks = ['ivf', 'mif', 'mef', 'mff', 'nir']
train_dataloader = dict(batch_size=2, dataset=dict(tasks=five_tasks, degrade=salt_pepper))
val_dataloader = dict(dataset=dict(tasks=five_tasks))
