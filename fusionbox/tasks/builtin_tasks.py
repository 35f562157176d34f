"""The four built-in fusion tasks (ids fixed: ivf 0, mif 1, mef 2, mff 3).

The values were the per-task tables of the modules that now read them (flow matching, the
intensity loss, the degradation composer, the pseudo-label pipeline, selector and refiner, the
demo, the continual loop, the embedded benchmark).
"""

from __future__ import annotations

from fusionbox.registry import TASKS

from .fusion_task import FusionTask

#: MIF: near-white label pixels (CT bone) keep their brightness when detail from another
#: source is added (``keep_bright`` ramp in luma: no protection below 0.9, full from 0.97).
MIF_KEEP_BRIGHT = (0.9, 0.97)

#: Blending and multi-scale priors shared by the tasks.
_MULTISCALE = ('LaplacianPyramid', 'DWT', 'GFF')


@TASKS.register_module(name='ivf')
class InfraredVisibleTask(FusionTask):
    """Infrared-visible fusion: keep the thermal targets and the visible texture.

    Degradations: weather, light and camera for the visible image, stripes, low thermal contrast
    and optics for the infrared one.
    """

    name, title, task_id = 'ivf', 'infrared-visible', 0
    source_roles, color_roles = ('ir', 'vi'), ('vi',)
    source_kinds = ('infrared', 'visible')
    init_fusion = intensity_target = 'max'  # keep the salient thermal intensities
    priors = ('Average', 'ChooseMax', 'PCA', *_MULTISCALE, 'ADF', 'MGFF')
    # edge and visual-information transfer, perceived contrast; MI at half weight because it
    # rewards copying pixels of one source (choose-max) far beyond its visual merit
    selector_metrics = {'Qabf': 1.0, 'VIF': 1.0, 'Qcb': 1.0, 'MI': 0.5, 'SCD': 0.5, 'SD': 0.5}
    refiner_components = (
        'lost_intensity', 'lost_detail', 'lost_texture', 'low_contrast', 'noise', 'halo',
    )  # fmt: skip
    degradations = (
        'Rain', 'Snow', 'Haze', 'LowLight', 'OverExposure', 'GaussianNoise', 'PoissonNoise',
        'GaussianBlur', 'MotionBlur', 'Downsample', 'JPEGCompression', 'LowContrast',
        'StripeNoise',
    )  # fmt: skip
    judged_by, continual_metric = ('SF', 'Qabf'), 'Qabf'
    baseline_prior = 'LaplacianPyramid'  # best single prior on the held-out real stems
    degradation_combos = (
        ('Haze', 'GaussianNoise'), ('LowLight', 'GaussianNoise', 'StripeNoise'),
        ('Rain', 'JPEGCompression'),
    )  # fmt: skip
    embedded, has_mask = 'fusionbox.datasets.embedded.ivf', True


@TASKS.register_module(name='mif')
class MedicalTask(FusionTask):
    """Medical image fusion: MRI with CT, PET or SPECT (the functional image may be in colour).

    Degradations: scanner noise (Poisson in PET/SPECT), limited resolution, blur, narrow contrast.
    """

    name, title, task_id = 'mif', 'medical (MRI + CT/PET/SPECT)', 1
    source_roles, color_roles = ('func', 'mri'), ('func',)
    source_kinds = ('medical', 'medical')
    init_fusion = intensity_target = 'max'  # keep the functional intensities
    priors = ('Average', 'ChooseMax', 'PCA', *_MULTISCALE, 'ADF', 'MGFF')
    # structural fidelity to both modalities, edges, visual information, contrast; no MI: on a
    # label that copies source pixels (choose-max) an invisible +-1 grey-level change costs
    # ~15 % of the candidates' MI span (0.5 % on a blending label), so MI vetoed every repair;
    # VIF measures the information carried over under a model of the viewer
    selector_metrics = {'Qabf': 1.0, 'VIF': 1.0, 'SSIM': 1.0, 'Qcb': 0.5, 'SD': 0.5}
    # hidden_structure: MRI structure under the intensity of CT / PET / SPECT (choose-max labels)
    refiner_components = (
        'lost_intensity',
        dict(detector='hidden_structure', keep_bright=MIF_KEEP_BRIGHT),
        dict(detector='lost_detail', keep_bright=MIF_KEEP_BRIGHT),
        dict(detector='lost_texture', keep_bright=MIF_KEEP_BRIGHT),
        'low_contrast',
        'halo',
    )
    degradations = ('GaussianNoise', 'PoissonNoise', 'GaussianBlur', 'Downsample', 'LowContrast')
    judged_by, continual_metric = ('SF', 'Qabf'), 'Qabf'
    baseline_prior = 'ChooseMax'  # best single prior on the held-out real stems
    degradation_combos = (
        ('GaussianBlur', 'GaussianNoise'), ('LowContrast', 'Downsample', 'PoissonNoise'),
    )  # fmt: skip
    embedded = 'fusionbox.datasets.embedded.mif'


@TASKS.register_module(name='mef')
class MultiExposureTask(FusionTask):
    """Multi-exposure fusion (ground truth: the exposure model's well-exposed image).

    Degradations: no exposure operation (exposure is what the task fuses).
    """

    name, title, task_id = 'mef', 'multi-exposure', 2
    source_roles, color_roles, has_gt = ('under', 'over'), ('under', 'over'), True
    source_kinds = ('visible', 'visible')
    init_fusion = intensity_target = 'mean'  # the well-exposed level
    priors = ('Average', 'PCA', *_MULTISCALE, 'MGFF', 'Mertens')
    # edges and structure of the well-exposed parts, information content
    selector_metrics = {'Qabf': 1.0, 'SSIM': 1.0, 'EN': 1.0, 'VIF': 0.5}
    refiner_components = ('poor_exposure', 'lost_detail', 'lost_texture', 'low_contrast', 'halo')
    degradations = (
        'Rain', 'Snow', 'Haze', 'GaussianNoise', 'PoissonNoise', 'GaussianBlur', 'MotionBlur',
        'Downsample', 'JPEGCompression',
    )  # fmt: skip
    judged_by, continual_metric = ('SSIM_ref', 'PSNR_ref'), 'SSIM_ref'
    baseline_prior = 'LaplacianPyramid'  # best single prior on the held-out real stems
    degradation_combos = (
        ('Haze', 'GaussianNoise'), ('Snow', 'MotionBlur', 'JPEGCompression'),
    )  # fmt: skip
    embedded = 'fusionbox.datasets.embedded.mef'


@TASKS.register_module(name='mff')
class MultiFocusTask(FusionTask):
    """Multi-focus fusion (ground truth: the all-in-focus image).

    Degradations: no defocus or motion blur (focus is what the task fuses).
    """

    name, title, task_id = 'mff', 'multi-focus', 3
    source_roles, color_roles, has_gt = ('near', 'far'), ('near', 'far'), True
    source_kinds = ('visible', 'visible')
    init_fusion = intensity_target = 'mean'  # the in-focus level
    priors = ('Average', *_MULTISCALE, 'MGFF', 'FocusMap')
    # gradients of the in-focus source (edges), perceived sharpness, information
    selector_metrics = {'Qabf': 1.0, 'Qcb': 1.0, 'SF': 0.5, 'AG': 0.5, 'MI': 0.5}
    # misfocus twice: decision-map regions (focus window 9x9), then seams (5x5, 1.5x sharper)
    refiner_components = (
        'misfocus',
        dict(detector='misfocus', detector_args=dict(window=2, dominance=1.5)),
        'lost_detail',
        'lost_texture',
        'noise',
        'halo',
    )
    degradations = (
        'Rain', 'Snow', 'Haze', 'LowLight', 'GaussianNoise', 'PoissonNoise', 'Downsample',
        'JPEGCompression', 'LowContrast',
    )  # fmt: skip
    judged_by, continual_metric = ('SSIM_ref', 'PSNR_ref'), 'SSIM_ref'
    baseline_prior = 'LaplacianPyramid'  # best single prior on the held-out real stems
    degradation_combos = (
        ('LowLight', 'GaussianNoise'), ('Rain', 'Haze', 'JPEGCompression'),
    )  # fmt: skip
    embedded, has_mask = 'fusionbox.datasets.embedded.mff', True
