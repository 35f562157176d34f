# The larger FusionFM variant (c32 U-Net, two-band head, 6000 iterations) trained with rollout as
# the lite default is (`rollout_prob=0.5`: half of the samples on the state the model's own first
# Euler step reaches; see configs/fusionfm/README.md).
_base_ = ['fusionfm_unet-c32-haar3-gated-detail_fm-src_iter-6k_real-mix.py']
model = dict(objective=dict(rollout_prob=0.5))
