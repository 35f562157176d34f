# The real task sequence with experience replay: a task-balanced memory of 64 crops, four replayed
# samples appended to each batch of eight.
_base_ = ['continual_unet-c24-haar3-gated_fm-src_real-seq_naive.py']
replay = dict(type='Replay', capacity=64, ratio=0.5)
train_cfg = dict(strategy=replay)
