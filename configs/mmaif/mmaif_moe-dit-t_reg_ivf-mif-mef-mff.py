# The tiny MoE-DiT (4 blocks, width 128) for CPU runs.
_base_ = ['mmaif_moe-dit-s_reg_ivf-mif-mef-mff.py']

model = dict(backbone=dict(arch='moe-dit-t'), text_encoder=dict(dim=64))
