# The FusionFM-lite default (two bands, rollout, 6000 iterations) with multi-exposure drawn twice
# as often as each other task (task_weights mef=2.0). Why: MEF is the default's weakest task on
# the held-out stems (10th of 11 under cddfuse, 4 of 12 metrics against the mean of the sources)
# and has the fewest real training pairs (14), so it sees the fewest distinct crops.
_base_ = ['fusionfm-lite_unet-c24-haar3-gated-detail_fm-src-rollout_iter-6k_real-mix.py']
train_dataloader = dict(sampler=dict(task_weights=dict(mef=2.0)))
