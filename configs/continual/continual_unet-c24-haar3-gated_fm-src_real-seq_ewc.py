# The real task sequence with elastic weight consolidation (Fisher from 32 samples per task,
# normalised to mean 1), the strategy of the embedded continual_unet-t_reg_..._ewc.py.
_base_ = ['continual_unet-c24-haar3-gated_fm-src_real-seq_naive.py']
ewc = dict(type='EWC', lambda_=0.02, num_samples=32, normalize=True)
train_cfg = dict(strategy=ewc)
