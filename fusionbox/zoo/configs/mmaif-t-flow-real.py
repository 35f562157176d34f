# FusionBox model zoo: mmaif-t-flow-real. Standalone inference config (model and test pipeline only)
# made by `python tools/zoo.py add` from configs/mmaif/mmaif_moe-dit-t-haar2_fm-noise_real-degraded.py; train and test with that config.
default_scope = 'fusionbox'
model = dict(
    autoencoder=dict(levels=2, type='HaarWaveletAutoencoder'),
    backbone=dict(
        arch='moe-dit-t',
        base='zero',
        input_size=32,
        num_experts=4,
        patch_size=2,
        state_channels=16,
        top_k=2,
        type='MoEDiT',
        with_time=True),
    loss_space='pixel',
    objective=dict(
        losses=[],
        num_steps=4,
        solver=dict(type='Euler'),
        target_key='pseudo_label',
        time_sampling='logit_normal',
        type='FlowMatching',
        x0='noise'),
    text_encoder=dict(dim=64, type='SentenceTransformerTextEncoder'),
    type='AllInOneFuser')
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
