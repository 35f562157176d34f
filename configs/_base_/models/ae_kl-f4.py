# A small KL-regularised conv autoencoder (1 -> 4 channels, /4) trained by reconstruction + KL.
model = dict(
    type='AutoencoderTrainer',
    autoencoder=dict(type='ConvAutoencoder', in_channels=1, latent_channels=4, downsample=4,
                     base_channels=16, kl=True),
    kl_weight=1e-4,
)
