# FusionBox model zoo: fusionfm-lite. Standalone inference config (model and test pipeline only)
# made by `python tools/zoo.py add` from configs/fusionfm/fusionfm-lite_unet-c24-haar3-gated-detail_fm-src-rollout_iter-6k_real-mix.py; train and test with that config.
default_scope = 'fusionbox'
model = dict(
    autoencoder=None,
    backbone=dict(
        arch=dict(
            base_channels=24, channel_mults=(
                1,
                2,
            ), emb_dim=64, num_blocks=1),
        base='zero',
        head='gated',
        head_cfg=dict(detail_sigma=2.0),
        latent=dict(levels=3, type='HaarWaveletAutoencoder'),
        state_channels=1,
        type='UNet',
        with_time=True),
    data_preprocessor=dict(size_divisor=16, type='FusionDataPreprocessor'),
    loss_space='pixel',
    objective=dict(
        losses=[
            dict(
                loss_weight=0.5,
                task_weights=dict(mef=0.1, mff=0.1),
                type='IntensityLoss'),
            dict(
                loss_weight=0.5,
                task_weights=dict(mef=0.1, mff=0.1),
                type='GradientLoss'),
            dict(
                loss_weight=0.5,
                task_weights=dict(mef=0.1, mff=0.1),
                type='SSIMLoss'),
        ],
        noise_std=0.0,
        num_steps=4,
        rollout_prob=0.5,
        solver=dict(type='Euler'),
        target_key='pseudo_label',
        time_sampling='uniform',
        type='FlowMatching',
        velocity_weight=20.0,
        velocity_weighting='end_point',
        x0='sources'),
    target_fallback='gt',
    type='AllInOneFuser')
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
