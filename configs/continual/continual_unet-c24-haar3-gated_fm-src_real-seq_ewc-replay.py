# The real task sequence with EWC and experience replay together (FusionFM's setting), the two
# strategies of the _ewc and _replay siblings.
_base_ = ['continual_unet-c24-haar3-gated_fm-src_real-seq_naive.py']
strategies = [
    dict(type='EWC', lambda_=0.02, num_samples=32, normalize=True),
    dict(type='Replay', capacity=64, ratio=0.5),
]
train_cfg = dict(strategy=dict(type='Compose', strategies=strategies))
