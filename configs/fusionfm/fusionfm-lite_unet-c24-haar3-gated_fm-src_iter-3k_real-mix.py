# FusionFM-lite with the source-gated output head (see
# fusionfm-lite_unet-c24-haar3-gated_fm-src_ivf-mif-mef-mff.py) on real images of all four tasks
# (pseudo-label targets) plus the embedded benchmark, 3000 iterations. Run it with
# tools/fusionfm_recipe.py (pseudo-labels first, then training).
_base_ = ['fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py']

# the gated head predicts the end point: weight its velocity error as the end-point error
model = dict(backbone=dict(head='gated'), objective=dict(velocity_weighting='end_point'))
