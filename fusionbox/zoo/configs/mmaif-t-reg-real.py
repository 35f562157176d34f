# FusionBox model zoo: mmaif-t-reg-real. Standalone inference config (model and test pipeline only)
# made by `python tools/zoo.py add` from configs/mmaif/mmaif_moe-dit-t-haar2_reg_real-degraded.py; train and test with that config.
default_scope = 'fusionbox'
model = dict(
    autoencoder=dict(levels=2, type='HaarWaveletAutoencoder'),
    backbone=dict(
        arch='moe-dit-t',
        input_size=32,
        num_experts=4,
        patch_size=2,
        top_k=2,
        type='MoEDiT'),
    loss_space='pixel',
    objective=dict(
        losses=[],
        supervised=dict(
            loss_weight=1.0, ssim_weight=1.0, type='SupervisedLoss'),
        target_key='pseudo_label',
        type='Regression'),
    text_encoder=dict(dim=64, type='SentenceTransformerTextEncoder'),
    type='AllInOneFuser')
test_pipeline = [
    dict(type='LoadMultiSourceImages'),
    dict(type='SourcesToYCbCr'),
    dict(type='PackFusionInputs'),
]
