"""Every registered prior has a test on a synthetic case whose outcome is known (this file, or
test_priors.py for the ones listed in TESTED_ELSEWHERE)."""

import cv2
import numpy as np
import pytest

import fusionbox.pseudo_labels  # noqa: F401
from fusionbox.pseudo_labels.priors.edge_preserving import anisotropic_diffusion
from fusionbox.registry import PRIORS

from .conftest import texture

#: Priors whose known-behaviour test lives in test_priors.py (name -> test function there).
TESTED_ELSEWHERE = {
    'Average': 'test_average_is_mean_and_returns_identical_source',
    'ChooseMax': 'test_choose_max_is_elementwise_max',
    'PCA': 'test_pca_weights_follow_the_high_variance_source',
    'Mertens': 'test_mertens_favours_well_exposed_pixels',
    'FocusMap': 'test_multi_focus_prior_beats_averaging',
    'ResultsFolder': 'test_results_folder_matches_by_stem',
}
#: Multi-scale priors that recover complementary in-focus halves: largest error / averaging's.
COMPLEMENTARY = {'LaplacianPyramid': 0.3, 'DWT': 0.3, 'GFF': 0.3, 'FocusMap': 0.3, 'MGFF': 0.9}
#: Priors that keep the fine detail of a textured source beside a smooth one: smallest share
#: of its high-pass energy kept (averaging keeps one half).
DETAIL = {
    'LaplacianPyramid': 0.9,
    'DWT': 0.9,
    'GFF': 0.9,
    'FocusMap': 0.9,
    'Mertens': 0.9,
    'PCA': 0.9,
    'MGFF': 0.6,
    'ADF': 0.7,
}
TESTED_HERE = {'LaplacianPyramid', 'DWT', 'GFF', 'MGFF', 'ADF', 'FuserCheckpoint'}


def test_every_registered_prior_has_a_known_behaviour_test():
    from . import test_priors

    assert set(PRIORS.module_dict) == set(TESTED_ELSEWHERE) | TESTED_HERE
    for test in TESTED_ELSEWHERE.values():
        assert callable(getattr(test_priors, test)), test
    assert TESTED_HERE - {'FuserCheckpoint'} <= set(COMPLEMENTARY) | set(DETAIL)


def _high_pass(x):
    return x - cv2.GaussianBlur(x, (0, 0), 2.0)


@pytest.mark.parametrize('name', sorted(COMPLEMENTARY))
def test_complementary_blurred_halves_are_recovered_better_than_by_averaging(name, focus_pair):
    truth, a, b = focus_pair  # a sharp on the left, b sharp on the right
    out = PRIORS.build(dict(type=name))([a, b])
    inner = np.s_[4:-4, 4:-4]
    err = np.abs(out - truth)[inner].mean()
    err_avg = np.abs((a[..., 0] + b[..., 0]) / 2 - truth)[inner].mean()
    assert err < COMPLEMENTARY[name] * err_avg, (err, err_avg)


@pytest.mark.parametrize('name', sorted(DETAIL))
def test_fine_detail_of_the_textured_source_is_kept(name):
    textured = texture(64, 64, 5)
    smooth = cv2.GaussianBlur(texture(64, 64, 6), (0, 0), 6.0)
    out = PRIORS.build(dict(type=name))([textured[..., None], smooth[..., None]])
    kept = np.abs(_high_pass(out)).mean() / np.abs(_high_pass(textured)).mean()
    kept_avg = (
        np.abs(_high_pass((textured + smooth) / 2)).mean() / np.abs(_high_pass(textured)).mean()
    )
    assert kept_avg == pytest.approx(0.5, abs=0.05)
    assert kept > DETAIL[name], kept


def test_perona_malik_diffusion_smooths_noise_and_keeps_edges():
    rng = np.random.default_rng(0)
    step = np.full((64, 64), 0.2, np.float32)
    step[:, 32:] = 0.8
    noisy = (step + 0.02 * rng.standard_normal(step.shape)).astype(np.float32)
    diffused = anisotropic_diffusion(noisy)
    # small gradients (noise) diffuse away...
    assert (diffused - step)[:, :28].std() < 0.3 * (noisy - step)[:, :28].std()
    # ...while the large one (the edge) conducts little: it stays a step, unlike a Gaussian blur
    assert diffused[:, 33].mean() - diffused[:, 30].mean() > 0.55
    blurred = cv2.GaussianBlur(noisy, (0, 0), 2.0)
    assert blurred[:, 33].mean() - blurred[:, 30].mean() < 0.4


def test_adf_base_is_the_mean_of_the_diffused_sources_and_details_follow_pca():
    from fusionbox.pseudo_labels.priors.simple import pca_weights

    a, b = texture(48, 48, 1), 0.5 + 0.2 * (texture(48, 48, 2) - 0.5)
    lumas = np.stack([a, b])
    base = np.stack([anisotropic_diffusion(x) for x in lumas])
    weights = pca_weights(lumas - base)
    assert weights[0] > weights[1]  # the source with more detail variance weighs more
    expected = base.mean(0) + np.tensordot(weights, lumas - base, axes=1)
    out = PRIORS.build(dict(type='ADF'))([a[..., None], b[..., None]])
    np.testing.assert_allclose(out, np.clip(expected, 0, 1), atol=1e-5)


def test_pca_weights_match_the_variance_ratio_of_uncorrelated_sources():
    from fusionbox.pseudo_labels.priors.simple import pca_weights

    rng = np.random.default_rng(0)
    strong, weak = rng.standard_normal((2, 200_000))
    weights = pca_weights(np.stack([3 * strong, weak]))
    # uncorrelated sources: the principal component is the higher-variance axis
    assert weights[0] > 0.95 and weights.sum() == pytest.approx(1.0)


def test_fuser_checkpoint_returns_the_models_own_prediction_of_the_lumas(tmp_path, repo_root):
    pytest.importorskip('mmcv')
    try:
        import fusionbox.models  # noqa: F401
    except ImportError as exc:
        pytest.skip(f'fusionbox.models is not importable: {exc}')
    import torch
    from mmengine.config import Config

    from fusionbox.pseudo_labels.ops import split_luma
    from fusionbox.structures import FusionSample

    cfgs = [c for c in sorted((repo_root / 'configs').rglob('*.py')) if '_base_' not in c.parts]
    if not cfgs:
        pytest.skip('no fuser config in configs/ yet')
    cfg = Config.fromfile(str(cfgs[0]))
    if 'model' not in cfg:
        pytest.skip(f'{cfgs[0]} has no model')
    path = tmp_path / 'fuser.py'
    Config(dict(model=cfg.model.to_dict())).dump(str(path))
    torch.manual_seed(0)
    prior = PRIORS.build(dict(type='FuserCheckpoint', config=str(path)))
    rng = np.random.default_rng(0)
    colour = rng.random((32, 32, 3), dtype=np.float32)
    grey = texture(32, 32)[..., None]
    out = prior([grey, colour], dict(task='ivf', stem='x'))
    # the model fuses the source lumas (N, 1, H, W); its pred is the prior's output
    lumas, _ = split_luma([grey, colour])
    sample = FusionSample(
        metainfo=dict(
            task='ivf',
            stem='x',
            source_names=(),
            ori_shape=(32, 32),
            source_paths=(),
            prompt='',
            is_color=False,
        )
    )
    with torch.no_grad():
        pred = (
            prior.fuser()
            .model.test_step(
                dict(inputs=[torch.from_numpy(lumas[:, None].copy())], data_samples=[sample])
            )[0]
            .pred
        )
    expected = np.clip(pred.float().numpy().reshape(32, 32), 0, 1)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    # a colour source counts through its luma only
    np.testing.assert_allclose(
        prior([grey, lumas[1][..., None]], dict(task='ivf', stem='x')), out, atol=1e-5
    )


@pytest.mark.parametrize(
    'name', sorted(set(COMPLEMENTARY) | set(DETAIL) | {'Average', 'ChooseMax'})
)
def test_prior_fuses_the_lumas_of_split_luma(name):
    from fusionbox.pseudo_labels.ops import split_luma

    rng = np.random.default_rng(1)
    sources = [rng.random((24, 40, 1), dtype=np.float32), rng.random((24, 40, 3), dtype=np.float32)]
    prior = PRIORS.build(dict(type=name))
    expected = prior.fuse(split_luma(sources)[0], sources=sources)
    expected = np.clip(np.nan_to_num(expected), 0, 1).astype(np.float32)
    np.testing.assert_array_equal(prior(sources), expected)
