"""FusionBox registries: every extension point of the toolbox, one per line.

The first group are children of the MMEngine roots that the Runner builds from (scope
``fusionbox``); the second group are fusion-specific roots. A component registers under its class
name and a config names it with ``type=``. ``locations`` lets MMEngine import the defining package
lazily the first time a registry is searched.
"""

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

SCOPE = 'fusionbox'


def _child(name, parent, location):
    return Registry(name, parent=parent, scope=SCOPE, locations=[location])


def _root(name, location):
    return Registry(name, scope=SCOPE, locations=[location])


# --- children of the MMEngine roots (what the Runner builds) -------------------------------------
RUNNERS = _child('runner', MMENGINE_RUNNERS, 'fusionbox.engine')  # runners
LOOPS = _child('loop', MMENGINE_LOOPS, 'fusionbox.engine')  # training / test loops
HOOKS = _child('hook', MMENGINE_HOOKS, 'fusionbox.engine')  # runner hooks
DATASETS = _child('dataset', MMENGINE_DATASETS, 'fusionbox.datasets')  # fusion datasets
DATA_SAMPLERS = _child('data sampler', MMENGINE_DATA_SAMPLERS, 'fusionbox.datasets')  # samplers
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS, 'fusionbox.datasets.transforms')  # pipelines
MODELS = _child('model', MMENGINE_MODELS, 'fusionbox.models')  # fusers, preprocessors
MODEL_WRAPPERS = _child('model_wrapper', MMENGINE_MODEL_WRAPPERS, 'fusionbox.models')  # DDP etc.
WEIGHT_INITIALIZERS = _child('weight initializer', MMENGINE_WEIGHT_INITIALIZERS, 'fusionbox.models')
OPTIMIZERS = _child('optimizer', MMENGINE_OPTIMIZERS, 'fusionbox.engine')  # optimizers
OPTIM_WRAPPERS = _child('optim_wrapper', MMENGINE_OPTIM_WRAPPERS, 'fusionbox.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    'optimizer wrapper constructor', MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, 'fusionbox.engine'
)
PARAM_SCHEDULERS = _child('parameter scheduler', MMENGINE_PARAM_SCHEDULERS, 'fusionbox.engine')
# MMEngine BaseMetric classes; their module (not the package, which must not import torch)
METRICS = _child('metric', MMENGINE_METRICS, 'fusionbox.evaluation.fusion_metric')
EVALUATOR = _child('evaluator', MMENGINE_EVALUATOR, 'fusionbox.evaluation')  # evaluators
TASK_UTILS = _child('task util', MMENGINE_TASK_UTILS, 'fusionbox.models')  # helpers built by cfg
VISUALIZERS = _child('visualizer', MMENGINE_VISUALIZERS, 'fusionbox.visualization')
VISBACKENDS = _child('vis_backend', MMENGINE_VISBACKENDS, 'fusionbox.visualization')
LOG_PROCESSORS = _child('log_processor', MMENGINE_LOG_PROCESSORS, 'fusionbox.engine')

# --- fusion-specific roots -----------------------------------------------------------------------
BACKBONES = _root('backbone', 'fusionbox.models.backbones')  # U-Net, DiT, MoE-DiT
OBJECTIVES = _root('objective', 'fusionbox.models.objectives')  # regression, flow matching
SOLVERS = _root('solver', 'fusionbox.models.solvers')  # ODE samplers for flow matching
AUTOENCODERS = _root('autoencoder', 'fusionbox.models.autoencoders')  # latent spaces
TEXT_ENCODERS = _root('text encoder', 'fusionbox.models.text_encoders')  # prompt encoders
LOSSES = _root('fusion loss', 'fusionbox.models.losses')  # fusion losses (intensity, gradient...)
CONTINUAL_STRATEGIES = _root('continual strategy', 'fusionbox.continual')  # EWC, replay
DEGRADATIONS = _root('degradation', 'fusionbox.degradations')  # synthetic degradations
RESTORERS = _root('restorer', 'fusionbox.degradations.restoration')  # restore-then-fuse steps
PRIORS = _root('fusion prior', 'fusionbox.pseudo_labels.priors')  # classical fusion methods
SELECTORS = _root('selector', 'fusionbox.pseudo_labels.selectors')  # pseudo-label selection
REFINERS = _root('refiner', 'fusionbox.pseudo_labels.refiners')  # Fusion Refiner
FUSION_METRICS = _root('fusion metric', 'fusionbox.evaluation.functional')  # metric functions
TASKS = _root('fusion task', 'fusionbox.tasks')  # fusion task specs (ivf, mif, mef, mff, ...)

#: Every registry by the name ``fusionbox list`` shows.
REGISTRIES = {
    'runners': RUNNERS,
    'loops': LOOPS,
    'hooks': HOOKS,
    'datasets': DATASETS,
    'data_samplers': DATA_SAMPLERS,
    'transforms': TRANSFORMS,
    'models': MODELS,
    'model_wrappers': MODEL_WRAPPERS,
    'weight_initializers': WEIGHT_INITIALIZERS,
    'optimizers': OPTIMIZERS,
    'optim_wrappers': OPTIM_WRAPPERS,
    'optim_wrapper_constructors': OPTIM_WRAPPER_CONSTRUCTORS,
    'param_schedulers': PARAM_SCHEDULERS,
    'metrics': METRICS,
    'evaluator': EVALUATOR,
    'task_utils': TASK_UTILS,
    'visualizers': VISUALIZERS,
    'vis_backends': VISBACKENDS,
    'log_processors': LOG_PROCESSORS,
    'backbones': BACKBONES,
    'objectives': OBJECTIVES,
    'solvers': SOLVERS,
    'autoencoders': AUTOENCODERS,
    'text_encoders': TEXT_ENCODERS,
    'losses': LOSSES,
    'continual_strategies': CONTINUAL_STRATEGIES,
    'degradations': DEGRADATIONS,
    'restorers': RESTORERS,
    'priors': PRIORS,
    'selectors': SELECTORS,
    'refiners': REFINERS,
    'fusion_metrics': FUSION_METRICS,
    'tasks': TASKS,
}
