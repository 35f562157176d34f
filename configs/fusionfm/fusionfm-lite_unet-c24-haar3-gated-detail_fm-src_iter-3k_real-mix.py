# The FusionFM default's recipe with a two-band gated head: the detail of the sources (what a
# Gaussian low-pass of sigma 2 pixels removes) gets its own per-pixel weights, from finer gates and
# each source's local detail energy, while the smooth gates mix the rest. The one-band head mixes
# the detail with the base's smooth weights, which averages the texture of the sources wherever
# both carry some: on the held-out real IVF stems its gradients (AG, SF) and MI stayed below the
# pseudo-labels it learns from.
_base_ = ['fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py']

model = dict(backbone=dict(head_cfg=dict(detail_sigma=2.0)))
