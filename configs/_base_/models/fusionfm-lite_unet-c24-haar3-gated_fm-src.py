# FusionFM-lite with a source-gated output head (the FusionFM default's model): the same 24-channel
# U-Net in a 3-level Haar latent, now inside the backbone (UNet(latent=...)), whose output is
# per-pixel softmax weights over the source images (predicted on a grid 4x coarser than the
# images, upsampled bilinearly: smooth, no block edges) plus a residual decoded from the latent:
# the end point, towards which the velocity carries the state. A direct head sees the sources'
# 192 latent channels through 24 and cannot select the in-focus or better-exposed source; gating
# each Haar coefficient instead (the backbone on the fuser's latent) selects, but its weights
# change from one 8 x 8 block to the next and the blocks show.
_base_ = ['fusionfm-lite_unet-c24-haar3_fm-src.py']

model = dict(
    autoencoder=None,  # the Haar transform lives inside the backbone
    backbone=dict(head='gated', latent=dict(type='HaarWaveletAutoencoder', levels=3),
                  state_channels=1),
    # The gated head predicts the end point, so its velocity error is weighted as the end-point
    # error ((1 - t)^2): unweighted, the samples near t = 1 dominate (the velocity grows as
    # 1 / (1 - t)). That error is the mean squared error to the target.
    objective=dict(velocity_weighting='end_point'),
)
