"""The real-data dataset bases and configs: they build on ../shared/data (or a folder tree made
here for the sets it lacks), hold out the documented stems, weigh the tasks, and never train or
validate on VIFB."""

import hashlib
import itertools
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from fusionbox.datasets import get_layout, holdout_stems
from fusionbox.recipes import check_no_evaluation_sets, iter_dataset_cfgs
from fusionbox.registry import DATA_SAMPLERS, DATASETS
from fusionbox.utils import register_all_modules
from fusionbox.utils.paths import shared_data_root

REPO = Path(__file__).resolve().parents[1]
BASES = REPO / 'configs' / '_base_' / 'datasets'
SHARED = shared_data_root()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
)
#: base file -> (layout, folder under the shared data, samples in the shared copy or None)
LAYOUT_BASES = {
    'msrs_ivf.py': ('MSRS', 'ivf/MSRS', 15),
    'tno_ivf.py': ('TNO', 'ivf/TNO', 10),
    'roadscene_ivf.py': ('RoadScene', 'ivf/RoadScene', 15),
    'm3fd_ivf.py': ('M3FD', 'ivf/M3FD', 1),
    'llvip_ivf.py': ('LLVIP-train', 'ivf/LLVIP', None),
    'harvard-mri-ct_mif.py': ('Harvard-MRI-CT', 'mif/Harvard_MRI_CT', 10),
    'harvard-mri-pet_mif.py': ('Harvard-MRI-PET', 'mif/Harvard_MRI_PET', 10),
    'harvard-mri-spect_mif.py': ('Harvard-MRI-SPECT', 'mif/Harvard_MRI_SPECT', 10),
    'mefb_mef.py': ('MEFB', 'mef/MEFB', 12),
    'sice_mef.py': ('SICE', 'mef/SICE', None),
    'u2fusion-mef_mef.py': ('U2Fusion-MEF', 'mef/U2Fusion_dataset1', 5),
    'lytro_mff.py': ('Lytro', 'mff/Lytro', 20),
    'mffw_mff.py': ('MFFW', 'mff/MFFW', None),
    'mfi-whu_mff.py': ('MFI-WHU', 'mff/MFI-WHU', None),
    'u2fusion-mff_mff.py': ('U2Fusion-MFF', 'mff/U2Fusion_MFF', 3),
}
#: The held-out stems of the shared copies (documented in docs/user_guides/configs.md).
HELD_OUT = {
    'MSRS': ['00036N', '00537D', '01023N'],
    'TNO': ['12', '37'],
    'RoadScene': ['FLIR_04424', 'FLIR_04722', 'FLIR_05857'],
    'M3FD': [],
    'Harvard-MRI-CT': ['15', '20'],
    'Harvard-MRI-PET': ['15', '20'],
    'Harvard-MRI-SPECT': ['15', '20'],
    'MEFB': ['ICCV_01', 'Sky'],
    'U2Fusion-MEF': ['5'],
    'Lytro': ['lytro_05', 'lytro_10', 'lytro_15', 'lytro_20'],
    'U2Fusion-MFF': [],
}
REAL_MIX = 'configs/fusionfm/fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py'


@pytest.fixture(scope='module', autouse=True)
def _registered():
    register_all_modules()


def _stems(ds):
    return [ds.get_data_info(i)['stem'] for i in range(len(ds))]


def _fake_set(root: Path, layout_name: str, n: int = 7) -> Path:
    """A tree of ``n`` tiny samples in ``layout_name``'s layout (for the sets not shared)."""
    import cv2

    layout = get_layout(layout_name)
    rng = np.random.default_rng(0)
    folders = list(layout.sources) + ([layout.gt] if layout.gt else [])
    for i in range(n):
        stem = f'x{i:02d}'
        for part in folders:
            path = (
                root / stem / f'{stem}{part}.png'
                if layout.sample_dirs
                else root / part / f'{stem}.png'
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), rng.integers(0, 256, (16, 16), dtype=np.uint8))
    if layout_name == 'LLVIP-train':  # the test split of the same folder
        _fake_set(root, 'LLVIP', 2)
    return root


@pytest.mark.parametrize('base', sorted(LAYOUT_BASES))
def test_layout_base_builds_with_its_held_out_split(base, tmp_path):
    layout, folder, count = LAYOUT_BASES[base]
    cfg = Config.fromfile(str(BASES / base))
    data_root = Path(cfg.train_dataloader.dataset.data_root)
    assert data_root.parts[-2:] == tuple(folder.split('/'))  # one place: shared_data + folder
    assert cfg.train_dataloader.dataset.layout == layout
    if count is None or not SHARED.is_dir():  # not shared: a made-up tree in the same layout
        count = count or 7
        root = _fake_set(tmp_path / 'data', layout, count)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            cfg[key].dataset.data_root = str(root)
    train = DATASETS.build(cfg.train_dataloader.dataset)
    stems = sorted(set(_stems(train)))
    assert len(train) == count - len(holdout_stems([f'{i}' for i in range(count)]))
    if count < 5:
        with pytest.raises(ValueError, match='is empty'):
            DATASETS.build(cfg.val_dataloader.dataset)
        return
    val = DATASETS.build(cfg.val_dataloader.dataset)
    held = _stems(val)
    assert held == holdout_stems(stems + held) and not set(held) & set(stems)
    if layout in HELD_OUT:
        assert held == HELD_OUT[layout]
    test = DATASETS.build(cfg.test_dataloader.dataset)
    assert len(test) > 0 and test.task == train.task == get_layout(layout).task


def test_shared_data_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv('FUSIONBOX_SHARED_DATA', str(tmp_path))
    cfg = Config.fromfile(str(BASES / 'lytro_mff.py'))
    assert cfg.train_dataloader.dataset.data_root == f'{tmp_path}/mff/Lytro'
    mix = Config.fromfile(str(REPO / REAL_MIX))
    roots = [d['data_root'] for d in mix.train_dataloader.dataset.datasets if 'data_root' in d]
    assert len(roots) == 11 and all(r.startswith(f'{tmp_path}/') for r in roots)


def test_default_shared_data_root_is_beside_the_checkout():
    if os.environ.get('FUSIONBOX_SHARED_DATA'):
        pytest.skip('FUSIONBOX_SHARED_DATA is set')
    cfg = Config.fromfile(str(BASES / 'msrs_ivf.py'))
    assert (
        Path(cfg.train_dataloader.dataset.data_root).resolve()
        == (REPO.parent / 'shared' / 'data' / 'ivf' / 'MSRS').resolve()
    )


@needs_shared
@pytest.mark.shared_data
def test_real_mix_trains_on_train_stems_and_validates_on_held_out_ones():
    cfg = Config.fromfile(str(REPO / REAL_MIX))
    train = DATASETS.build(cfg.train_dataloader.dataset)
    val = DATASETS.build(cfg.val_dataloader.dataset)
    real_train = {d.layout: set(_stems(d)) for d in train.datasets if d.layout}
    real_val = {d.layout: _stems(d) for d in val.datasets if d.layout}
    assert set(real_train) == set(HELD_OUT) and 'VIFB' not in real_train
    assert real_val == {k: v for k, v in HELD_OUT.items() if v}
    for layout, held in real_val.items():
        assert not real_train[layout] & set(held)
    assert sum(len(s) for s in real_train.values()) == 90
    assert {d.task for d in train.datasets} == {'ivf', 'mif', 'mef', 'mff'}
    # embedded train split too, as ground-truth data; one crop size for every sample
    assert [d.task for d in train.datasets if not d.layout] == ['ivf', 'mif', 'mef', 'mff']
    crops = {t.size for d in train.datasets for t in d.pipeline.transforms if hasattr(t, 'size')}
    assert crops == {(128, 128)}
    # the sampler: equal task weights by default, a child changes one weight by dict
    sampler = DATA_SAMPLERS.build(
        dict(cfg.train_dataloader.sampler, seed=0), default_args=dict(dataset=train)
    )
    tasks = [train.get_data_info(i)['task'] for i in range(len(train))]
    counts = Counter(tasks[i] for i in itertools.islice(iter(sampler), 8000))
    assert all(abs(c / 8000 - 0.25) < 0.02 for c in counts.values()), counts
    child = Config.fromfile(str(REPO / REAL_MIX))
    child.merge_from_dict({'train_dataloader.sampler.task_weights.mff': 2.0})
    assert child.train_dataloader.sampler.task_weights == dict(ivf=1.0, mif=1.0, mef=1.0, mff=2.0)


#: The real-mix samples as they were when its base became one MultiTaskFusionDataset per split
#: (issue 13): per member its set, task and sample count in order, and the SHA-1 of the JSON list
#: of [set, task, test_mode, pipeline steps, stems] per member; the first training draws.
REAL_MIX_MEMBERS = dict(
    train_dataloader=(
        [('embedded', t, 32) for t in ('ivf', 'mif', 'mef', 'mff')]
        + [('MSRS', 'ivf', 12), ('TNO', 'ivf', 8), ('RoadScene', 'ivf', 12), ('M3FD', 'ivf', 1),
           ('Harvard-MRI-CT', 'mif', 8), ('Harvard-MRI-PET', 'mif', 8),
           ('Harvard-MRI-SPECT', 'mif', 8), ('MEFB', 'mef', 10), ('U2Fusion-MEF', 'mef', 4),
           ('Lytro', 'mff', 16), ('U2Fusion-MFF', 'mff', 3)]
    ),
    val_dataloader=(
        [('embedded', t, 4) for t in ('ivf', 'mif', 'mef', 'mff')]
        + [('MSRS', 'ivf', 3), ('TNO', 'ivf', 2), ('RoadScene', 'ivf', 3),
           ('Harvard-MRI-CT', 'mif', 2), ('Harvard-MRI-PET', 'mif', 2),
           ('Harvard-MRI-SPECT', 'mif', 2), ('MEFB', 'mef', 2), ('U2Fusion-MEF', 'mef', 1),
           ('Lytro', 'mff', 4)]
    ),
)  # fmt: skip
REAL_MIX_DIGESTS = dict(
    train_dataloader='9a6cb60978e55cdc52c14e78d0db4e32646c2650',
    val_dataloader='a54ec73a24abd0420540440f03e9bcedbeda5ab5',
)
#: config -> its first training draws (seed 0): 0.3 weight on the embedded sets, or none
_EMBEDDED_03 = [186, 57, 25, 140, 217, 210, 84, 74, 192, 100, 216, 138]
_EQUAL = [85, 44, 11, 129, 217, 204, 76, 69, 186, 98, 214, 30]
REAL_MIX_FIRST_DRAWS = {
    'fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-3k_real-mix.py': _EMBEDDED_03,
    'fusionfm-lite_unet-c24-haar3-gated-detail_fm-src_iter-6k_real-mix.py': _EMBEDDED_03,
    'fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py': _EMBEDDED_03,
    'fusionfm-lite_unet-c24-haar3_fm-src_iter-3k_real-mix.py': _EQUAL,
    'fusionfm_unet-c32-haar3-gated_fm-src_iter-3k_real-mix.py': _EMBEDDED_03,
    'fusionfm_unet-c32-haar3-gated-detail_fm-src_iter-6k_real-mix.py': _EMBEDDED_03,
    'fusionfm_unet-s_fm-src_iter-3k_real-mix.py': _EQUAL,
}


@needs_shared
@pytest.mark.shared_data
@pytest.mark.parametrize('name', sorted(REAL_MIX_FIRST_DRAWS))
def test_real_mix_samples_order_and_pipelines_are_unchanged(name):
    cfg = Config.fromfile(str(REPO / 'configs' / 'fusionfm' / name))
    built = {}
    for key, members in REAL_MIX_MEMBERS.items():
        built[key] = DATASETS.build(cfg[key].dataset)
        rows = [
            [
                m.layout or 'embedded',
                m.task,
                m.test_mode,
                [type(t).__name__ + str(getattr(t, 'size', '')) for t in m.pipeline.transforms],
                _stems(m),
            ]
            for m in built[key].datasets
        ]
        assert [(r[0], r[1], len(r[4])) for r in rows] == members
        assert hashlib.sha1(json.dumps(rows).encode()).hexdigest() == REAL_MIX_DIGESTS[key]
    sampler = DATA_SAMPLERS.build(
        dict(cfg.train_dataloader.sampler, seed=0),
        default_args=dict(dataset=built['train_dataloader']),
    )
    assert list(itertools.islice(iter(sampler), 12)) == REAL_MIX_FIRST_DRAWS[name]


ALL_CONFIGS = sorted((REPO / 'configs').rglob('*.py'))


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=lambda p: str(p.relative_to(REPO / 'configs')))
def test_no_config_trains_or_validates_on_vifb(path):
    cfg = Config.fromfile(str(path))
    check_no_evaluation_sets(cfg)  # raises, naming the key, if VIFB is there
    for key in ('train_dataloader', 'val_dataloader'):
        for ds in iter_dataset_cfgs((cfg.get(key) or {}).get('dataset')):
            assert ds.get('layout') != 'VIFB'
            assert 'VIFB' not in Path(str(ds.get('data_root', ''))).parts


def test_the_vifb_check_catches_a_layout_and_a_path():
    cfg = Config.fromfile(str(REPO / REAL_MIX))
    cfg.val_dataloader.dataset.datasets[4]['layout'] = 'VIFB'
    with pytest.raises(ValueError, match=r'val_dataloader\.dataset\.datasets\.4\.layout'):
        check_no_evaluation_sets(cfg)
    cfg = Config.fromfile(str(REPO / REAL_MIX))
    cfg.train_dataloader.dataset.datasets[5]['data_root'] = '/data/ivf/VIFB'
    with pytest.raises(ValueError, match='evaluation set'):
        check_no_evaluation_sets(cfg)
    cfg = Config.fromfile(str(REPO / REAL_MIX))
    cfg.test_dataloader.dataset.datasets[5]['data_root'] = '/data/ivf/VIFB'
    check_no_evaluation_sets(cfg)  # testing on VIFB is what it is for
