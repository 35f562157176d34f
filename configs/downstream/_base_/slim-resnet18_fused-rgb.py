"""What the downstream detector and segmenter models share: the input normalisation of fused RGB
images (`LoadFusionImage` gives RGB in 0..255) and a slim ResNet-18 (stages of 16, 32, 64, 128
channels) trained from scratch (nothing can be downloaded)."""

fused_rgb_norm = dict(mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0], bgr_to_rgb=False)
slim_resnet18 = dict(
    depth=18,
    base_channels=16,
    num_stages=4,
    norm_cfg=dict(type='BN', requires_grad=True),
    norm_eval=False,
    style='pytorch',
    init_cfg=None,
)
