# MMAIF (regression variant): a MoE-DiT in the latent space of an orthonormal Haar transform
# (lossless, 1 -> 4 channels at half size: no trained autoencoder needed), conditioned on the task
# and on the restoration prompt (hashed word n-grams). The fuser sets the backbone's in_channels
# (latent channels) and prompt_dim (text encoder dim). loss_space='pixel': the fusion losses are
# computed on the decoded image.
_base_ = ['fusion_losses.py']
model = dict(
    type='AllInOneFuser',
    autoencoder=dict(type='HaarWaveletAutoencoder', levels=1),
    text_encoder=dict(type='HashedNgramTextEncoder', dim=128, num_buckets=4096),
    backbone=dict(type='MoEDiT', arch='moe-dit-s', patch_size=2, input_size=64, num_experts=4,
                  top_k=2),
    objective=_base_.regression,
    loss_space='pixel',
)
