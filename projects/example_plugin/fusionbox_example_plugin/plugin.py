"""The plugin module named by the entry point ``fusionbox.plugins = example``."""

from fusionbox import hookimpl


@hookimpl
def fusionbox_register_modules(registries):
    from .nir_prior import NIRDetailTransfer
    from .nir_task import NIRTask
    from .salt_pepper import SaltPepperNoise
    from .tiny_conv import TinyConvFuser

    registries.BACKBONES.register_module(module=TinyConvFuser)
    registries.DEGRADATIONS.register_module(module=SaltPepperNoise)
    registries.PRIORS.register_module(module=NIRDetailTransfer)
    registries.TASKS.register_module(name=NIRTask.name, module=NIRTask)  # a task: its name


@hookimpl
def fusionbox_add_arguments(parser, tool):
    parser.add_argument(
        '--example-note',
        default=None,
        help='(example plugin) a note stored in the config as example_note',
    )


@hookimpl
def fusionbox_modify_config(cfg, args, tool):
    if getattr(args, 'example_note', None):
        cfg.example_note = args.example_note
