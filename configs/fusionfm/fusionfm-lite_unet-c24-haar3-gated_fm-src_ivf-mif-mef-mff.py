# FusionFM-lite with a source-gated output head (the FusionFM default's model): the same Haar-latent
# U-Net as fusionfm-lite, whose output is per-coefficient softmax weights over the sources' Haar
# coefficients plus a residual (the end point; the velocity carries the state there). A direct head
# sees the 192 latent channels of the sources through 24 and cannot select, per coefficient, the
# in-focus or better-exposed source; the gate does it with one convolution shared over the sources.
_base_ = ['fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py']

# The gated head predicts the end point, so its velocity error is weighted as the end-point error
# ((1 - t)^2): unweighted, the samples near t = 1 dominate the loss (the velocity grows as 1/(1-t)).
model = dict(backbone=dict(head='gated'), objective=dict(velocity_weighting='end_point'))
