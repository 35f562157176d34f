"""Fixed-seed losses and outputs of shipped configs, recorded before the task registry and the
backbone contract (issue 13): refactors must keep them bit-identical."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from fusionbox.registry import MODELS
from fusionbox.structures import FusionSample
from fusionbox.utils import register_all_modules

CONFIGS = Path(__file__).resolve().parents[3] / 'configs'

#: The gated head on the fuser's Haar latent (per-coefficient gates), as the gated FusionFM-lite
#: config was when these were recorded; that config now runs the Haar inside the backbone.
COEFFICIENT_GATES = dict(
    backbone=dict(head='gated'), objective=dict(velocity_weighting='end_point')
)
#: config [+ model overrides] -> (losses, sum of the fused batch) with every weight perturbed by
#: seeded noise.
RECORDED = {
    'fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_ivf-mif-mef-mff.py+COEFFICIENT_GATES': (
        dict(loss_velocity=0.25679874420166016, loss_intensity=0.0911036804318428,
             loss_gradient=0.3039780855178833, loss_ssim=0.2013702243566513),
        2048.2466562036425,
    ),
    # recorded when the gated config moved its Haar inside the backbone (pixel-space gates)
    'fusionfm/fusionfm-lite_unet-c24-haar3-gated_fm-src_ivf-mif-mef-mff.py': (
        dict(loss_velocity=0.2621217966079712, loss_intensity=0.09174118936061859,
             loss_gradient=0.3130008578300476, loss_ssim=0.2020721733570099),
        2008.543389674276,
    ),
    'allinone/allinone_unet-s_reg_ivf-mif-mef-mff.py': (
        dict(loss_intensity=0.18877626955509186, loss_gradient=0.6616763472557068,
             loss_ssim=0.3773488700389862, loss_supervised=2.9306986331939697),
        1867.661399334669,
    ),
    'mmaif/mmaif_moe-dit-t_reg_ivf-mif-mef-mff.py': (
        dict(loss_intensity=0.2904835343360901, loss_gradient=0.8537889719009399,
             loss_ssim=0.4685041010379791, loss_supervised=3.0085675716400146,
             loss_moe_balance=0.015541561879217625),
        974.7071124035865,
    ),
}  # fmt: skip


@pytest.fixture
def one_thread():
    register_all_modules()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize('name', sorted(RECORDED))
def test_seeded_loss_and_output_are_unchanged(name, one_thread):
    torch.manual_seed(0)
    path, _, overrides = name.partition('+')
    cfg = Config.fromfile(str(CONFIGS / path))
    if overrides:
        cfg.merge_from_dict(dict(model=globals()[overrides]))
    model = MODELS.build(cfg.model)
    g = torch.Generator().manual_seed(1)
    sources, gt = torch.rand(4, 2, 1, 32, 32, generator=g), torch.rand(4, 1, 32, 32, generator=g)
    samples = [
        FusionSample(metainfo=dict(task=t, prompt=p))
        for t, p in zip(('ivf', 'mif', 'mef', 'mff'), ('denoise', '', 'remove haze', ''))
    ]
    inputs = dict(
        sources=sources, task=torch.arange(4), gt=gt, pseudo_label=gt, img_shape=(32, 32),
        gt_valid=torch.tensor([False, False, True, True]),
        pseudo_label_valid=torch.tensor([True, True, False, True]),
    )  # fmt: skip
    noise = torch.Generator().manual_seed(5)
    with torch.no_grad():
        state = model.state_dict()
        for key in sorted(state):
            if state[key].is_floating_point():
                state[key].add_(0.05 * torch.randn(state[key].shape, generator=noise))
    torch.manual_seed(2)
    losses = model(inputs, samples, mode='loss')
    model.eval()
    torch.manual_seed(3)
    with torch.no_grad():
        fused = model(inputs, samples, mode='tensor')
    expected, fused_sum = RECORDED[name]
    assert [(k, v.item()) for k, v in losses.items()] == list(expected.items())  # same bits
    assert fused.double().sum().item() == fused_sum
