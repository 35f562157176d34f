# Uses the plugin's backbone and degradation on the embedded benchmark (FusionBox's own config
# as the base, found through the installed package's mim-style path is not needed: relative path).
_base_ = ['../../../configs/allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py']

model = dict(backbone=dict(_delete_=True, type='TinyConvFuser', width=8))

train_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='DegradeSources', degradations=[dict(type='SaltPepperNoise', amount=0.01)], seed=0),
    dict(type='PairedRandomCrop', size=64),
    dict(type='PairedRandomFlip', prob=0.5),
    dict(type='PackFusionInputs'),
]
train_dataloader = dict(
    batch_size=2,
    dataset=dict(
        datasets=[
            dict(
                type='EmbeddedFusionDataset',
                seed=0,
                size=128,
                task=t,
                split='train',
                pipeline=train_pipeline,
            )
            for t in ['ivf', 'mif', 'mef', 'mff']
        ]
    ),
)
