import pytest

from fusionbox.datasets import LAYOUTS, MultiSourceFusionDataset, get_layout
from fusionbox.datasets.layouts import SHARED_DATA_DIRS
from fusionbox.datasets.transforms import LoadMultiSourceImages
from fusionbox.structures import TASKS
from fusionbox.utils.paths import shared_data_root

SHARED = shared_data_root()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
)

#: Pairs in each copy under ../shared/data (see its MANIFEST.md).
EXPECTED = {
    'MSRS': 15,
    'TNO': 10,
    'RoadScene': 15,
    'M3FD': 1,
    'VIFB': 21,
    'Harvard-MRI-CT': 10,
    'Harvard-MRI-PET': 10,
    'Harvard-MRI-SPECT': 10,
    'MEFB': 12,
    'U2Fusion-MEF': 5,
    'Lytro': 20,
    'U2Fusion-MFF': 3,
}


def test_required_layouts_exist():
    for name in (
        'MSRS',
        'TNO',
        'RoadScene',
        'M3FD',
        'LLVIP',
        'Harvard-MRI-CT',
        'Harvard-MRI-PET',
        'Harvard-MRI-SPECT',
        'MEFB',
        'SICE',
        'Lytro',
        'MFFW',
        'MFI-WHU',
    ):
        layout = get_layout(name)
        assert layout.task in TASKS and len(layout.sources) == len(layout.names) >= 2
        assert layout.note
    assert all(get_layout(n).names == ('ir', 'vi') for n in LAYOUTS if LAYOUTS[n].task == 'ivf')
    assert get_layout('MFI-WHU').gt == 'full_clear'


@needs_shared
@pytest.mark.shared_data
@pytest.mark.parametrize('name', sorted(SHARED_DATA_DIRS))
def test_layout_reads_shared_copy(name):
    ds = MultiSourceFusionDataset(
        data_root=SHARED / SHARED_DATA_DIRS[name],
        layout=name,
        pipeline=[dict(type='LoadMultiSourceImages')],
        test_mode=True,
    )
    assert len(ds) == EXPECTED[name]
    assert ds.task == get_layout(name).task
    out = ds[0]  # decodes, and checks that the sources have one size
    assert len(out['sources']) == 2
    assert all(0.0 <= s.min() and s.max() <= 1.0 for s in out['sources'])
    assert isinstance(ds.pipeline.transforms[0], LoadMultiSourceImages)


@needs_shared
@pytest.mark.shared_data
def test_shared_colour_conventions():
    pet = MultiSourceFusionDataset(
        data_root=SHARED / 'mif/Harvard_MRI_PET',
        layout='Harvard-MRI-PET',
        pipeline=[dict(type='LoadMultiSourceImages')],
    )
    out = pet[0]
    assert out['source_names'] == ['pet', 'mri']
    assert out['sources'][0].shape[2] == 3  # PET is pseudo-colour
    assert out['sources'][1].shape[2] == 1  # MRI is grey stored as RGB -> squeezed
    mefb = MultiSourceFusionDataset(data_root=SHARED / 'mef/MEFB', layout='MEFB')
    stems = [mefb[i]['stem'] for i in range(len(mefb))]
    sky = mefb[stems.index('Sky')]['source_paths']
    assert sky[0].endswith('sKY_a.png') and sky[1].endswith('Sky_B.png')
