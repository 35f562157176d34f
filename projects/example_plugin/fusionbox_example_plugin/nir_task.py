"""A fusion task added by a plugin: near-infrared + RGB (NIR-RGB) fusion.

The NIR image sees through haze and renders vegetation bright; the RGB image carries the colour.
The fused image keeps the RGB colour and takes its luma detail from both (Ref: C. Fredembach
and S. Süsstrunk, "Colouring the near-infrared", CIC 2008; L. Schaul, C. Fredembach and
S. Süsstrunk, "Color image dehazing using the near-infrared", ICIP 2009).
"""

from fusionbox.tasks import FusionTask


class NIRTask(FusionTask):
    """NIR-RGB fusion: every module of FusionBox reads these attributes (the task id is the next
    free one: 4 when this is the only plugin task)."""

    name, title = 'nir', 'near-infrared + RGB'
    source_roles, color_roles, has_gt = ('nir', 'rgb'), ('rgb',), False
    init_fusion = intensity_target = 'max'  # the NIR's see-through-haze brightness
    priors = ('Average', 'LaplacianPyramid', 'NIRDetailTransfer')
    selector_metrics = {'Qabf': 1.0, 'SF': 0.5, 'EN': 0.5}
    refiner_components = ('lost_detail', 'low_contrast', 'halo')
    degradations = ('GaussianNoise', 'PoissonNoise', 'JPEGCompression', 'SaltPepperNoise')
    judged_by, continual_metric = ('SF', 'Qabf'), 'Qabf'
    embedded = 'fusionbox_example_plugin.nir_embedded'
