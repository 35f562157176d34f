# The FusionFM-lite default (rollout, 6000 iterations) trained on 192 x 192 crops, 4 per batch,
# instead of 128 x 128, 8 per batch: about as many pixels per iteration (147 k against 131 k), more
# context per crop. Why: the U-Net's GroupNorm (no affine) normalises over each sample's spatial
# extent, which in the 3-level Haar latent is 16 x 16 positions for a 128 crop (8 x 8 at its
# second level) against 60 x 80 for a 480 x 640 image at inference; larger crops bring the
# training statistics closer to the inference ones. The embedded images (128 x 128) are padded by
# reflection to the crop (PairedRandomCrop).
_base_ = ['fusionfm-lite_unet-c24-haar3-gated-detail_fm-src-rollout_iter-6k_real-mix.py']
crop_size = 192
train_pipeline = [dict(t, size=crop_size) if t['type'] == 'PairedRandomCrop' else t
                  for t in _base_.train_pipeline]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
