"""fusionbox compare: the grid (samples x methods, zoomed rows), colour kept, methods of every
kind, and its errors; the figure drawer's zoom window."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from fusionbox.cli.main import main
from fusionbox.utils.image_io import read_image, write_image
from fusionbox.visualization.compare_methods import PriorMethod, Sample, comparison_rows
from fusionbox.visualization.comparison import GridRow, draw_grid, zoom_window


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    """ir (grey) and vi (colour) folders of stems a, b, c; gt; a results folder without b."""
    root = tmp_path_factory.mktemp('compare')
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:48, 0:64] / 64
    for stem, shift in (('a', 0), ('b', 1), ('c', 2)):
        vi = np.stack([0.5 + 0.3 * np.sin(5 * xx + shift), 0.4 + 0.2 * yy, 0.3 + 0 * xx], -1)
        ir = 0.2 + 0.1 * rng.random((48, 64))
        ir[10:20, 40:52] = 0.95  # a hot target: the detail the zoom should find
        write_image(root / 'vi' / f'{stem}.png', vi)
        write_image(root / 'ir' / f'{stem}.png', ir)
        write_image(root / 'gt' / f'{stem}.png', vi)
        if stem != 'b':
            write_image(root / 'other' / f'{stem}_Other.jpg', vi[..., ::-1])
    return root


def _args(root, out, *extra):
    return ['compare', '--task', 'ivf', '--source', f'ir={root / "ir"}', '--source',
            f'vi={root / "vi"}', '-o', str(out), *extra]  # fmt: skip


def test_figure_with_model_prior_folder_and_gt(folders, tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / 'fig.png'
    extra = ['--gt', str(folders / 'gt'), '--prior', 'Average', '--config',
             tiny_checkpoint['config'], '--checkpoint', str(tiny_checkpoint['checkpoint']),
             '--results', f'Other={folders / "other"}', '--pdf']  # fmt: skip
    assert main(_args(folders, out, *extra)) == 0
    captured = capsys.readouterr()
    assert 'b: Other has no result; its cell is left empty' in captured.err
    assert 'compared Average, allinone_unet-t_reg_ivf-mif-mef-mff, Other on 3 samples' in (
        captured.out
    )
    figure = read_image(out)
    assert figure.shape[2] == 3 and out.with_suffix('.pdf').stat().st_size > 1000
    # colour is shown in colour: the figure holds strongly coloured pixels
    assert (figure.max(-1) - figure.min(-1)).max() > 0.3
    assert main(_args(folders, out, *extra)) == 1  # kept without --overwrite
    assert 'fig.png exists; pass --overwrite' in capsys.readouterr().err


def test_rows_keep_colour_and_order(folders, tiny_checkpoint):
    sample = Sample('a', 'ivf', ['ir', 'vi'], [folders / 'ir' / 'a.png', folders / 'vi' / 'a.png'])
    (row,) = comparison_rows([sample], [PriorMethod('Average')], folders / 'gt', log=print)
    titles = [t for t, _ in row.cells]
    assert titles == ['ir', 'vi', 'ground truth', 'Average'] and row.zoom_on == 2
    ir, vi, gt, average = (image for _, image in row.cells)
    assert ir.shape == (48, 64, 1) and vi.shape == (48, 64, 3) and gt.shape == (48, 64, 3)
    # the average of a colour sample is in colour: the mean luma with the visible's chroma
    assert average.shape == (48, 64, 3)
    from fusionbox.utils.color import rgb_to_ycbcr

    luma = (ir[..., 0] + rgb_to_ycbcr(vi)[..., 0]) / 2
    inside = (average > 0.02).all(-1) & (average < 0.98).all(-1)
    np.testing.assert_allclose(rgb_to_ycbcr(average)[..., 0][inside], luma[inside], atol=2e-3)
    np.testing.assert_allclose(
        rgb_to_ycbcr(average)[..., 1:][inside], rgb_to_ycbcr(vi)[..., 1:][inside], atol=2e-3
    )


def test_zoom_window_finds_the_detail():
    image = np.full((60, 80), 0.5, np.float32)
    image[40:50, 8:18] = np.indices((10, 10)).sum(0) % 2  # a checkerboard patch
    x, y, w, h = zoom_window([image], frac=0.25)
    assert (w, h) == (15, 15)
    assert x <= 8 and x + w >= 18 and y <= 40 and y + h >= 50


def test_fixed_crop_is_drawn_and_checked(folders, tmp_path, capsys):
    out = tmp_path / 'crop.png'
    assert main(_args(folders, out, '--prior', 'Average', '--crop', '4,6,20,10',
                      '--stems', 'c,a')) == 0  # fmt: skip
    assert 'on 2 samples' in capsys.readouterr().out
    assert main(_args(folders, tmp_path / 'bad.png', '--prior', 'Average', '--crop',
                      '50,0,30,10')) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert 'crop 50,0,30,10 is not inside ivf/a (64x48)' in err and 'Traceback' not in err
    assert not (tmp_path / 'bad.png').exists()


@pytest.mark.parametrize(
    'extra, message',
    [
        (['--prior', 'Nope'], 'Nope is not in the fusionbox::fusion prior registry'),
        (['--config', 'configs/x.py'], '--config configs/x.py needs a --checkpoint CKPT'),
        (['--checkpoint', 'w.pth'], '--checkpoint w.pth must follow a --config CFG'),
        (['--results', 'nodir'], "--results expects NAME=DIR, got 'nodir'"),
        (['--prior', 'Average', '--stems', 'a,zz'], '--stems: no paired sources for zz'),
        (['--prior', 'Average', '--crop', '1,2,3'], '--crop expects x,y,w,h'),
        (['--prior', 'Average', '--prior', 'Average'], 'method names repeat: Average'),
        ([], 'nothing to compare'),
        (['--model', 'nope'], "unknown model 'nope'"),
    ],
)
def test_errors_are_one_line(folders, tmp_path, capsys, extra, message):
    assert main(_args(folders, tmp_path / 'f.png', *extra)) != 0
    err = capsys.readouterr().err
    assert message in err and 'Traceback' not in err and err.count('\n') == 1
    assert not (tmp_path / 'f.png').exists()


def test_grid_draws_missing_cells_and_refuses_other_formats(tmp_path):
    image = cv2.GaussianBlur(
        np.random.default_rng(1).random((30, 40)).astype(np.float32), (5, 5), 1
    )
    rows = [GridRow('s', [('a', image), ('b', None)])]
    (path,) = draw_grid(rows, tmp_path / 'g.png', zoom=False)
    assert Path(path).suffix == '.png' and read_image(path).shape[0] > 50
    with pytest.raises(ValueError, match=r"figure formats \['svg'\]"):
        draw_grid(rows, tmp_path / 'g.png', formats=['svg'])
    with pytest.raises(FileExistsError, match='g.png exists'):
        draw_grid(rows, tmp_path / 'g.png', overwrite=False)


def test_zoo_model_column_and_its_tasks(folders, tiny_zoo, tmp_path, capsys):
    out = tmp_path / 'zoo.png'
    assert main(_args(folders, out, '--model', 'tiny', '--limit', '1')) == 0
    assert 'compared tiny on 1 samples' in capsys.readouterr().out
    args = _args(folders, tmp_path / 'mif.png', '--model', 'tiny')
    args[args.index('ivf')] = 'mif'
    assert main(args) == 1
    assert "zoo model 'tiny' fuses ['ivf', 'mef'], not 'mif'" in capsys.readouterr().err
