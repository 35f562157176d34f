"""Named folder layouts of the public fusion datasets.

A layout says where the registered sources of one sample live, so that a config can write
``dict(type='MultiSourceFusionDataset', data_root=..., layout='MSRS')`` instead of spelling out
the folders. Two kinds exist:

* **folder layouts** (``sample_dirs=False``): one folder per source, the sources of one sample
  share a file stem: ``<data_root>/<folder>/<stem>.<ext>`` (MSRS ``ir/00004N.png`` and
  ``vi/00004N.png``).
* **sample-folder layouts** (``sample_dirs=True``): one folder per sample holding its sources,
  told apart by a suffix: ``<data_root>/<stem>/<stem><suffix>.<ext>`` (MEFB ``Chair/Chair_A.jpg``
  and ``Chair/Chair_B.jpg``; Lytro ``lytro_01/lytro_01_A.jpg``). Suffixes match
  case-insensitively, as MEFB has ``Lighthouse_a.png`` and ``sKY_a.png``.

Source order (the model order, the same in every layout of a task):

* IVF: infrared first, visible second (``ir``, ``vi``).
* MIF: the functional / other modality first (CT, PET or SPECT), MRI second, as CDDFuse feeds
  them (CT/PET/SPECT in the infrared slot, MRI in the visible slot).
* MEF: under-exposed first, over-exposed second (``under``, ``over``).
* MFF: the two focus settings as the dataset numbers them (``a``, ``b``; ``near``, ``far``).

The layouts were checked against the copies under ``../shared/data`` (see its MANIFEST.md) and the
public releases; where a public release nests splits (LLVIP ``infrared/train``) there is one
layout per split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple

from fusionbox.structures import task_index


@dataclass(frozen=True)
class FusionLayout:
    """Where the sources of one sample live in a dataset's folder.

    Args:
        task: one of :data:`fusionbox.structures.TASKS`.
        sources: source folders (folder layouts) or file suffixes (sample-folder layouts),
            relative to ``data_root``, in model order.
        names: the source names recorded with every sample, in the same order.
        gt: ground-truth folder (or suffix); None when the dataset has none.
        mask: mask folder (or suffix); None when the dataset has none.
        sample_dirs: True for a folder per sample holding its sources with suffixes.
        note: one line about the dataset and the layout.
    """

    task: str
    sources: Tuple[str, ...]
    names: Tuple[str, ...]
    gt: str | None = None
    mask: str | None = None
    sample_dirs: bool = False
    note: str = field(default='', compare=False)

    def __post_init__(self) -> None:
        task_index(self.task)  # raises on an unknown task
        if len(self.sources) < 2 or len(self.sources) != len(self.names):
            raise ValueError(
                f'a layout needs >= 2 sources and one name per source, got '
                f'sources={self.sources} names={self.names}'
            )


_IVF = ('ir', 'vi')

#: Every named layout, by the name a config uses in ``layout=``.
LAYOUTS: Dict[str, FusionLayout] = {
    # --- infrared-visible (infrared first) --------------------------------------------------
    'MSRS': FusionLayout(
        'ivf',
        ('ir', 'vi'),
        _IVF,
        note=(
            'MSRS (Tang et al. 2022), 640x480 road scenes by day and night; point data_root at '
            'train/ or test/; pass mask="Segmentation_labels" to read its segmentation labels'
        ),
    ),
    'TNO': FusionLayout(
        'ivf',
        ('ir', 'vi'),
        _IVF,
        note=(
            'TNO Image Fusion Dataset as redistributed by fusion repositories (ir/, vi/); some '
            'images are grey stored as RGB'
        ),
    ),
    'RoadScene': FusionLayout(
        'ivf',
        ('ir', 'vi'),
        _IVF,
        note=(
            'RoadScene (FLIR-based) as in CDDFuse (ir/, vi/); the original release names the '
            'folders cropinfrared/ and crop_HR_visible/: pass sources to match'
        ),
    ),
    'M3FD': FusionLayout(
        'ivf',
        ('ir', 'vi'),
        _IVF,
        note=(
            'M3FD fusion set (TarDAL), 1024x768; the release names the folders Ir/ and Vis/ in '
            'some copies: pass sources to match'
        ),
    ),
    'VIFB': FusionLayout(
        'ivf', ('ir', 'vi'), _IVF, note=('VIFB benchmark, 21 pairs, visible mostly in colour')
    ),
    'LLVIP': FusionLayout(
        'ivf',
        ('infrared/test', 'visible/test'),
        _IVF,
        note=(
            'LLVIP test split, data_root = the LLVIP folder (infrared/test, visible/test); '
            'non-commercial terms apply'
        ),
    ),
    'LLVIP-train': FusionLayout(
        'ivf',
        ('infrared/train', 'visible/train'),
        _IVF,
        note=('LLVIP train split, data_root = the LLVIP folder'),
    ),
    # --- medical (functional / other modality first, MRI second) ---------------------------
    'Harvard-MRI-CT': FusionLayout(
        'mif',
        ('CT', 'MRI'),
        ('ct', 'mri'),
        note=('Harvard whole-brain atlas pairs as in CDDFuse (CT/, MRI/), 256x256, grey as RGB'),
    ),
    'Harvard-MRI-PET': FusionLayout(
        'mif',
        ('PET', 'MRI'),
        ('pet', 'mri'),
        note=('Harvard atlas MRI-PET pairs (PET/, MRI/), 256x256; PET is pseudo-colour'),
    ),
    'Harvard-MRI-SPECT': FusionLayout(
        'mif',
        ('SPECT', 'MRI'),
        ('spect', 'mri'),
        note=('Harvard atlas MRI-SPECT pairs (SPECT/, MRI/), 256x256; SPECT is pseudo-colour'),
    ),
    # --- multi-exposure (under-exposed first) ----------------------------------------------
    'MEFB': FusionLayout(
        'mef',
        ('_A', '_B'),
        ('under', 'over'),
        sample_dirs=True,
        note=(
            'MEFB benchmark, one folder per sequence <seq>/<seq>_A (under) and _B (over); '
            'suffix case is ignored (Lighthouse_a, sKY_a)'
        ),
    ),
    'SICE': FusionLayout(
        'mef',
        ('ue', 'oe'),
        ('under', 'over'),
        note=(
            'SICE under/over pairs extracted from the sequences as U2Fusion distributes them '
            '(ue/, oe/); pass gt="Label" where the reference labels are kept beside them'
        ),
    ),
    'U2Fusion-MEF': FusionLayout(
        'mef',
        ('ue', 'oe'),
        ('under', 'over'),
        note=('U2Fusion test set 1, grey under/over-exposed pairs (ue/, oe/)'),
    ),
    # --- multi-focus --------------------------------------------------------------------------
    'Lytro': FusionLayout(
        'mff',
        ('_A', '_B'),
        ('a', 'b'),
        sample_dirs=True,
        note=('Lytro, 20 colour pairs 520x520 as in MFIFB: lytro_NN/lytro_NN_A and _B'),
    ),
    'MFFW': FusionLayout(
        'mff',
        ('source_1', 'source_2'),
        ('a', 'b'),
        note=(
            'MFFW (Xu et al. 2020) has no canonical redistribution; this expects source_1/ and '
            'source_2/ like MFI-WHU (convert other copies or pass sources)'
        ),
    ),
    'MFI-WHU': FusionLayout(
        'mff',
        ('source_1', 'source_2'),
        ('a', 'b'),
        gt='full_clear',
        note=('MFI-WHU (Zhang et al. 2021), synthetic from COCO with an all-in-focus full_clear/'),
    ),
    'U2Fusion-MFF': FusionLayout(
        'mff',
        ('near', 'far'),
        ('near', 'far'),
        note=('U2Fusion multi-focus test pairs, grey near/far focus (near/, far/)'),
    ),
}


def get_layout(name: str) -> FusionLayout:
    """Return the layout registered under ``name``, with a clear error naming the known ones."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise KeyError(
            f'unknown dataset layout {name!r}; known layouts: ' f'{", ".join(sorted(LAYOUTS))}'
        ) from None


#: Where each layout's copy lives under ``../shared/data`` (for tests and benchmarks).
SHARED_DATA_DIRS: Dict[str, str] = {
    'MSRS': 'ivf/MSRS',
    'TNO': 'ivf/TNO',
    'RoadScene': 'ivf/RoadScene',
    'M3FD': 'ivf/M3FD',
    'VIFB': 'ivf/VIFB',
    'Harvard-MRI-CT': 'mif/Harvard_MRI_CT',
    'Harvard-MRI-PET': 'mif/Harvard_MRI_PET',
    'Harvard-MRI-SPECT': 'mif/Harvard_MRI_SPECT',
    'MEFB': 'mef/MEFB',
    'U2Fusion-MEF': 'mef/U2Fusion_dataset1',
    'Lytro': 'mff/Lytro',
    'U2Fusion-MFF': 'mff/U2Fusion_MFF',
}
