"""The real-data continual configs (``continual_unet-c24-haar3-gated_fm-src_real-seq_*``): each
stage trains one task's real sets, each evaluation scores that task's held-out stems, the
variants differ only in the strategy, the recipe labels the sets of every stage and evaluation
(once per set), and a 2-iterations-per-stage run through the recipe fills the 4 x 4 matrix."""

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from mmengine.config import Config

from fusionbox.datasets.multi_task_dataset import as_concat
from fusionbox.recipes import fusionfm as recipe
from fusionbox.registry import DATA_SAMPLERS, DATASETS
from fusionbox.utils import register_all_modules
from fusionbox.utils.paths import shared_data_root

REPO = Path(__file__).resolve().parents[2]
PREFIX = 'configs/continual/continual_unet-c24-haar3-gated_fm-src_real-seq_'
VARIANTS = ('naive', 'ewc', 'replay', 'ewc-replay', 'joint')
TASKS = ['ivf', 'mif', 'mef', 'mff']
SHARED = shared_data_root()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f'real test data not found at {SHARED} (set FUSIONBOX_SHARED_DATA to its folder)',
)
#: Two cheap priors per task and no refiner: labels for the tiny copy in a few seconds.
CHEAP_LABELS = [
    "pseudo_labels.ivf.priors=['Average','ChooseMax']",
    "pseudo_labels.mif.priors=['Average','ChooseMax']",
    "pseudo_labels.mef.priors=['Average','PCA']",
    "pseudo_labels.mff.priors=['Average','LaplacianPyramid']",
    *(f'pseudo_labels.{t}.refiner=False' for t in TASKS),
]


def _cfg(variant: str) -> Config:
    return Config.fromfile(str(REPO / f'{PREFIX}{variant}.py'))


def _task_of(cfg, ds) -> str:
    return ds['task'] if 'task' in ds else cfg.real_sets[ds['layout']].split('/')[0]


def _without_strategy(cfg: Config) -> dict:
    """The config as a dict without its strategy (and the variables that spell it)."""
    out = cfg.to_dict()
    out['train_cfg'].pop('strategy')
    for name in ('ewc', 'replay', 'strategies'):
        out.pop(name, None)
    return out


def test_variants_differ_only_in_the_strategy():
    naive = _without_strategy(_cfg('naive'))
    expected = dict(ewc='EWC', replay='Replay', **{'ewc-replay': 'Compose'})
    for variant, strategy in expected.items():
        cfg = _cfg(variant)
        assert cfg.train_cfg.strategy.type == strategy
        assert _without_strategy(cfg) == naive
    joint = _cfg('joint')
    (stage,) = joint.train_cfg.stages
    assert stage.tasks == TASKS and stage.iters_scale == 4
    assert stage.dataloader.sampler.task_weights == dict.fromkeys(TASKS, 1.0)


def test_model_is_the_fusionfm_default():
    default = (
        REPO / 'configs/fusionfm/fusionfm-lite_unet-c24-haar3-gated_fm-src_iter-3k_real-mix.py'
    )
    model = _cfg('naive').model
    assert model == Config.fromfile(str(default)).model and model.backbone.head == 'gated'


def test_label_datasets_cover_the_stages_and_evaluations_once_per_set():
    cfg = _cfg('naive')
    found = recipe.label_datasets(cfg)
    # train_dataloader and the 4 stages each name the 11 real sets; each of the 4 evaluations the
    # 9 held-out ones (its tasks= keeps its own task's)
    assert len(found) == 5 * 11 + 4 * 9
    assert all(d['layout'] in cfg.heldout_sets for d in found[55:])
    identities = {json.dumps(recipe._dataset_identity(d), sort_keys=True) for d in found}
    assert len(identities) == 11  # one labels folder per set, whichever loader names it
    for ds in found[11:]:
        ds['pseudo_label_dir'] = '/somewhere'
    assert len(recipe.label_datasets(cfg)) == 11  # labelled ones are left alone


@needs_shared
@pytest.mark.shared_data
def test_stages_draw_one_task_and_evaluations_hold_its_held_out_stems():
    register_all_modules()
    cfg = _cfg('naive')
    for task, stage in zip(TASKS, cfg.train_cfg.stages):
        assert stage.name == task and stage.tasks == [task]
        dataset = DATASETS.build(stage.dataloader.dataset)
        sampler = DATA_SAMPLERS.build(
            dict(stage.dataloader.sampler, seed=0), default_args=dict(dataset=dataset)
        )
        infos = [dataset.get_data_info(i) for i in itertools.islice(iter(sampler), 300)]
        assert {i['task'] for i in infos} == {task}
        names = Counter(i['dataset'] or 'embedded' for i in infos)
        assert names['embedded'] < sum(names.values()) / 2  # real sets lead (embedded at 0.3)
        evaluation = cfg.train_cfg.evaluations[task]
        held = DATASETS.build(evaluation.dataloader.dataset)
        assert {held.get_data_info(i)['task'] for i in range(len(held))} == {task}
        members = as_concat(evaluation.dataloader.dataset)['datasets']
        assert len(held) == dict(ivf=8, mif=6, mef=3, mff=4)[task]  # the sets' held-out stems
        for ds in members:
            assert ds['subset'] == 'holdout' and _task_of(cfg, ds) == task
            assert 'VIFB' not in ds['data_root']
    assert [e.metric for e in cfg.train_cfg.evaluations.values()] == [
        'Qabf',
        'Qabf',
        'MEF_SSIM',
        'Qabf',
    ]


def _tiny_copy(cfg, root: Path, per_set: int = 5, size: int = 64) -> None:
    """The first ``per_set`` samples of every real set of ``cfg`` (one held out per set), their
    sources cropped to ``size`` x ``size`` at the centre, in the sets' layouts under ``root``."""
    from fusionbox.pseudo_labels import list_samples
    from fusionbox.utils.image_io import read_image, write_image

    for layout, folder in cfg.real_sets.items():
        for sample in list_samples(layout=layout, data_root=str(SHARED / folder))[:per_set]:
            for path in map(Path, sample['source_paths']):
                image = read_image(path)
                top, left = [(n - size) // 2 for n in image.shape[:2]]
                out = root / folder / path.relative_to(SHARED / folder)
                out.parent.mkdir(parents=True, exist_ok=True)
                write_image(out, image[top : top + size, left : left + size])


@needs_shared
@pytest.mark.shared_data
@pytest.mark.slow
def test_recipe_runs_the_real_sequence_and_fills_the_matrix(tmp_path):
    config = REPO / f'{PREFIX}ewc-replay.py'
    _tiny_copy(_cfg('naive'), tmp_path / 'data')
    work, labels = tmp_path / 'work', tmp_path / 'labels'
    options = [
        'train_cfg.stage_iters=2',
        'train_cfg.strategy.strategies.0.num_samples=2',
        'default_hooks.logger.interval=1',
        *CHEAP_LABELS,
    ]
    proc = subprocess.run(
        [sys.executable, 'tools/fusionfm_recipe.py', str(config), '--work-dir', str(work)]
        + ['--labels-dir', str(labels), '--no-progress', '--cfg-options', *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            'FUSIONBOX_SHARED_DATA': str(tmp_path / 'data'),
            'PYTHONWARNINGS': 'ignore',
            'OMP_NUM_THREADS': '1',
        },
        timeout=600,
    )
    assert proc.returncode == 0, f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}'
    # each set labelled once although the stages and evaluations name it again
    assert '[11/11] pseudo-labels' in proc.stdout and '[12/' not in proc.stdout
    assert len(list(labels.iterdir())) == 11
    result = json.loads((work / 'continual_matrix.json').read_text())
    assert result['stages'] == TASKS and result['tasks'] == TASKS
    assert result['metrics'] == ['Qabf', 'Qabf', 'MEF_SSIM', 'Qabf']
    matrix = result['matrix']
    assert len(matrix) == 4
    for i, row in enumerate(matrix):  # row i: the tasks seen so far scored, the others not yet
        assert all(isinstance(v, float) for v in row[: i + 1]) and row[i + 1 :] == [None] * (3 - i)
    assert set(result['summary']) >= {'average', 'bwt', 'forgetting', 'last_task'}
    assert (work / 'continual_matrix.png').is_file() and (work / 'stage_3_mff.pth').is_file()
