# MMAIF (regression variant): a MoE-DiT in the latent space of an orthonormal Haar transform
# (lossless, 1 -> 4 channels at half size: no trained autoencoder needed), conditioned on the task
# and on the restoration prompt (hashed word n-grams). The fuser sets the backbone's in_channels
# (latent channels) and prompt_dim (text encoder dim). loss_space='pixel': the fusion losses are
# computed on the decoded image.
gt_tasks_down = dict(mef=0.1, mff=0.1)
model = dict(
    type='AllInOneFuser',
    autoencoder=dict(type='HaarWaveletAutoencoder', levels=1),
    text_encoder=dict(type='HashedNgramTextEncoder', dim=128, num_buckets=4096),
    backbone=dict(type='MoEDiT', arch='moe-dit-s', patch_size=2, input_size=64, num_experts=4,
                  top_k=2),
    objective=dict(
        type='Regression',
        losses=[
            dict(type='IntensityLoss', loss_weight=1.0, task_weights=gt_tasks_down),
            dict(type='GradientLoss', loss_weight=1.0, task_weights=gt_tasks_down),
            dict(type='SSIMLoss', loss_weight=1.0, task_weights=gt_tasks_down),
        ],
        supervised=dict(type='SupervisedLoss', loss_weight=2.0, ssim_weight=1.0),
        target_key='gt'),
    loss_space='pixel',
)
