"""The example figures of the prompt benchmarks are drawn by the one figure drawer
(``draw_grid``) and show the prompts the outputs were given in a text cell of each sample
(``prompt_response.prompt_panel``, shared by both)."""

import numpy as np
import pytest

from fusionbox.visualization import comparison

from .conftest import load_benchmark

PROMPTS = dict(right='Remove the rain from the visible image.', wrong='Brighten it.', empty='')


@pytest.fixture
def drawn(monkeypatch):
    """The rows each ``draw_grid`` call got (the figure is still written)."""
    calls = []
    real = comparison.draw_grid

    def spy(rows, path, **kwargs):
        calls.append(rows)
        return real(rows, path, **kwargs)

    monkeypatch.setattr(comparison, 'draw_grid', spy)
    return calls


def _image(seed, scale=1.0):
    return np.random.default_rng(seed).random((24, 32)) * scale


def test_prompt_response_figure_captions_the_three_prompts(drawn, tmp_path):
    bench = load_benchmark('prompt_response')
    row = dict(
        task='ivf', stem='s0', draw=0, source_names=['ir', 'vi'], degradation='Rain',
        degraded_source=['vi'], target='pseudo_label', prompts=PROMPTS,
        scores={c: dict(PSNR_ref=20.0 + i) for i, c in enumerate(bench.CONDITIONS)},
        _images=dict(sources=np.stack([_image(0, 255), _image(1, 255)]), target=_image(2, 255),
                     **{c: _image(3 + i, 255) for i, c in enumerate(bench.CONDITIONS)}),
    )  # fmt: skip
    assert bench.figure([row], tmp_path / 'examples.png') == ['ivf/s0 draw 0']
    assert (tmp_path / 'examples.png').stat().st_size > 1000
    ((grid,),) = drawn
    assert [title for title, _ in grid.cells] == [
        'ir',
        'vi (Rain)',
        'prompts',
        'right 20.0 dB',
        'wrong 21.0 dB',
        'empty 22.0 dB',
        'target (pseudo_label)',
    ]
    np.testing.assert_allclose(grid.cells[3][1], row['_images']['right'] / 255.0)
    expected = bench.prompt_panel(
        ['right: "Remove the rain from the visible image."', 'wrong: "Brighten it."',
         'empty: (empty prompt)'], row['_images']['target'],
    )  # fmt: skip
    np.testing.assert_array_equal(grid.cells[2][1], expected)


def test_mmaif_degraded_figure_captions_the_mmaif_prompt(drawn, tmp_path):
    bench = load_benchmark('mmaif_degraded')
    methods = ['MMAIF reg', 'cascade']
    row = dict(
        task='ivf', condition='Rain+StripeNoise', set='TNO', stem='01', names=['ir', 'vi'],
        records=[dict(type='StripeNoise', sources=['ir']), dict(type='Rain', sources=['vi'])],
        prompt=PROMPTS['right'], scores={m: dict(PSNR_ref=25.0) for m in methods},
        _images=dict(degraded=np.stack([_image(0), _image(1)]), label=_image(2),
                     **{m: _image(3) for m in methods}),
    )  # fmt: skip
    shown = bench.figure([row], methods, tmp_path / 'examples.png')
    assert shown == ['ivf TNO/01 Rain+StripeNoise']
    ((grid,),) = drawn
    assert grid.title == 'ivf TNO/01'
    assert [title for title, _ in grid.cells] == [
        'ir: StripeNoise',
        'vi: Rain',
        'prompt (MMAIF)',
        'MMAIF reg 25.0 dB',
        'cascade 25.0 dB',
        'target: label of the clean sources',
    ]
    panel = load_benchmark('prompt_response').prompt_panel
    expected = panel(['"Remove the rain from the visible image."'], row['_images']['label'])
    np.testing.assert_array_equal(grid.cells[2][1], expected)
    bench.figure([row], methods, tmp_path / 'examples.png')  # redrawn after each task
    bench.figure([row], ['cascade'], tmp_path / 'examples.png')  # no MMAIF model: no prompt
    assert [title for title, _ in drawn[-1][0].cells][2] == 'cascade 25.0 dB'


def test_prompt_panel_is_shaped_like_the_image_and_shows_text():
    panel = load_benchmark('prompt_response').prompt_panel
    like = np.zeros((48, 64))
    image = panel(['right: "' + 'remove the rain and the stripes, please ' * 6 + '"'], like)
    assert image.dtype == np.uint8 and image.shape == (360, 480, 3)
    dark = (image.mean(axis=2) < 128).mean()
    assert 0.005 < dark < 0.3  # text on white
    assert (panel([''], like) == 255).all()
