import numpy as np
import pytest

import fusionbox.pseudo_labels  # noqa: F401
from fusionbox.pseudo_labels.ops import recompose, split_luma
from fusionbox.pseudo_labels.priors import MissingResult, ResultsFolder
from fusionbox.registry import PRIORS

from .conftest import texture

CLASSICAL = (
    'Average',
    'ChooseMax',
    'PCA',
    'LaplacianPyramid',
    'DWT',
    'GFF',
    'ADF',
    'MGFF',
    'Mertens',
    'FocusMap',
)


def test_at_least_ten_priors_with_paper_lines():
    for name in CLASSICAL + ('ResultsFolder', 'FuserCheckpoint'):
        cls = PRIORS.get(name)
        assert cls is not None, name
        assert 'Paper:' in cls.__doc__, name


def test_choose_max_is_elementwise_max(tex):
    other = texture(seed=1)
    out = PRIORS.build(dict(type='ChooseMax'))([tex[..., None], other[..., None]])
    np.testing.assert_array_equal(out, np.maximum(tex, other))


def test_average_is_mean_and_returns_identical_source(tex):
    other = texture(seed=1)
    avg = PRIORS.build(dict(type='Average'))
    np.testing.assert_allclose(
        avg([tex[..., None], other[..., None]]), (tex + other) / 2, atol=1e-6
    )
    np.testing.assert_allclose(avg([tex[..., None]] * 2), tex, atol=1e-6)


@pytest.mark.parametrize('name', CLASSICAL)
def test_identical_sources_give_the_source(name, tex):
    out = PRIORS.build(dict(type=name))([tex[..., None]] * 3)  # N = 3 sources
    assert out.shape == tex.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, tex, atol=2e-3)


@pytest.mark.parametrize('name', CLASSICAL)
def test_colour_and_grey_sources_of_odd_size(name):
    rng = np.random.default_rng(0)
    grey = rng.random((37, 45, 1), dtype=np.float32)
    colour = rng.random((37, 45, 3), dtype=np.float32)
    out = PRIORS.build(dict(type=name))([grey, colour])
    assert out.shape == (37, 45)
    assert 0 <= out.min() and out.max() <= 1


def test_pca_weights_follow_the_high_variance_source(tex):
    flat = np.full_like(tex, 0.5) + 0.01 * texture(seed=2)
    out = PRIORS.build(dict(type='PCA'))([tex[..., None], flat[..., None]])
    assert np.abs(out - tex).mean() < np.abs(out - flat).mean()


def test_multi_focus_prior_beats_averaging(focus_pair):
    truth, a, b = focus_pair
    focus = PRIORS.build(dict(type='FocusMap'))([a, b])
    average = PRIORS.build(dict(type='Average'))([a, b])
    err_focus, err_avg = np.abs(focus - truth).mean(), np.abs(average - truth).mean()
    assert err_focus < 0.5 * err_avg
    decision = PRIORS.build(dict(type='FocusMap')).decision_map(np.stack([a[..., 0], b[..., 0]]))
    assert decision[0, :, :28].mean() > 0.95 and decision[1, :, 36:].mean() > 0.95


def test_mertens_favours_well_exposed_pixels():
    rng = np.random.default_rng(0)
    detail = 0.03 * rng.standard_normal((48, 48)).astype(np.float32)
    well = np.clip(0.5 + detail, 0, 1)
    over = np.clip(0.97 + 0.1 * detail, 0, 1)
    under = np.clip(0.03 + 0.1 * detail, 0, 1)
    # left half: source 0 well exposed; right half: source 1 well exposed
    s0 = np.concatenate([well[:, :24], over[:, 24:]], 1)
    s1 = np.concatenate([under[:, :24], well[:, 24:]], 1)
    out = PRIORS.build(dict(type='Mertens'))([s0[..., None], s1[..., None]])
    inner = np.s_[8:-8]
    assert np.abs(out[inner, 4:16] - well[inner, 4:16]).mean() < 0.05
    assert np.abs(out[inner, 32:44] - well[inner, 32:44]).mean() < 0.05
    avg = (s0 + s1) / 2
    assert np.abs(out - 0.5).mean() < np.abs(avg - 0.5).mean()


def test_colour_recomposition_carries_chroma():
    rng = np.random.default_rng(0)
    colour = rng.random((16, 16, 3), dtype=np.float32)
    lumas, chroma = split_luma([colour, colour[..., :1]])
    assert chroma is not None and chroma.shape == (16, 16, 2)
    np.testing.assert_allclose(recompose(lumas[0], chroma), colour, atol=2e-3)
    grey_as_rgb = np.repeat(colour[..., :1], 3, axis=2)
    assert split_luma([grey_as_rgb, colour[..., :1]])[1] is None


def test_results_folder_matches_by_stem(tmp_path, tex):
    import cv2

    cv2.imwrite(str(tmp_path / 'a.png'), (tex * 255).round().astype(np.uint8))
    cv2.imwrite(str(tmp_path / 'b_ADF.png'), (tex[::-1] * 255).round().astype(np.uint8))
    prior = ResultsFolder(tmp_path, name='ext')
    src = [tex[..., None], tex[..., None]]
    np.testing.assert_allclose(prior(src, dict(stem='a')), tex, atol=1 / 255)
    np.testing.assert_allclose(prior(src, dict(stem='b')), tex[::-1], atol=1 / 255)
    with pytest.raises(MissingResult, match="'c'"):
        prior(src, dict(stem='c'))
    with pytest.raises(ValueError, match='a.png'):
        prior([tex[:10, :, None]] * 2, dict(stem='a'))


def test_fuser_checkpoint_prior(tmp_path, repo_root):
    pytest.importorskip('mmcv')
    try:
        import fusionbox.models  # noqa: F401
    except ImportError as exc:
        pytest.skip(f'fusionbox.models is not importable: {exc}')
    from mmengine.config import Config

    cfgs = sorted((repo_root / 'configs').rglob('*.py'))
    cfgs = [c for c in cfgs if '_base_' not in c.parts]
    if not cfgs:
        pytest.skip('no fuser config in configs/ yet')
    cfg = Config.fromfile(str(cfgs[0]))
    if 'model' not in cfg:
        pytest.skip(f'{cfgs[0]} has no model')
    path = tmp_path / 'fuser.py'
    Config(dict(model=cfg.model.to_dict())).dump(str(path))
    prior = PRIORS.build(dict(type='FuserCheckpoint', config=str(path)))
    tex = texture(32, 32)
    out = prior([tex[..., None], tex[..., None]], dict(task='ivf', stem='x'))
    assert out.shape == (32, 32) and 0 <= out.min() and out.max() <= 1
