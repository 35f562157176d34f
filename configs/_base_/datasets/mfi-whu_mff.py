# MFI-WHU (Zhang et al. 2021), multi-focus pairs made from COCO (source_1/, source_2/) with the
# all-in-focus image (full_clear/), so PSNR_ref / SSIM_ref are measured. Not in ../shared/data:
# set FUSIONBOX_SHARED_DATA or data_root to a folder holding mff/MFI-WHU.
_base_ = ['real_single-set.py']
data_root = _base_.shared_data + '/mff/MFI-WHU'
real_set = dict(layout='MFI-WHU', data_root=data_root)
train_dataloader = dict(dataset=real_set)
val_dataloader = dict(dataset=real_set)
test_dataloader = dict(dataset=real_set)
